// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Map;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.nbd.testing.Tools;
import org.virtbackup.qemu.launch.DiskDataGenerator;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.QemuDisk;
import org.virtbackup.qemu.qmp.QmpCommand;

/** A real QEMU with two qcow2 disks of varied data (vda, vdb) and a connection through the public API. */
final class RepoFixture implements AutoCloseable {
    static final long SIZE = 32L << 20;
    static final String EIO_NODE = "test-eio";

    final Path dir;
    final Path vda;
    final Path vdb;
    EmbeddedQemu qemu;
    private Connection conn;
    private int starts;

    RepoFixture(Path dir) {
        this.dir = dir;
        this.vda = dir.resolve("vda.qcow2");
        this.vdb = dir.resolve("vdb.qcow2");
        DiskDataGenerator.generate(vda, ImageFormat.QCOW2, SIZE, 11);
        DiskDataGenerator.generate(vdb, ImageFormat.QCOW2, SIZE, 12);
        start();
    }

    private void start() {
        this.qemu = EmbeddedQemu.builder().workDir(dir.resolve("qemu" + starts++)).disk(vda, "vda").disk(vdb, "vdb")
                .start();
        this.conn = Connections.open(qemu.qmpUri("vm1"), Map.of("stateDir", dir.resolve("state").toString()));
    }

    /** Closes the connection and starts a new QEMU on the same images and state: after QEMU was killed. */
    void restart() {
        close();
        start();
    }

    Domain domain() {
        return conn.domain();
    }

    /** The raw content of the disk now, after a flush: the reference for a point taken next. */
    Path reference(String disk, Path out) throws Exception {
        qemu.guestFlush(disk);
        Tools.run("qemu-img", "convert", "-U", "-f", "qcow2", "-O", "raw", dir.resolve(disk + ".qcow2").toString(),
                out.toString());
        return out;
    }

    /**
     * The digest a point records for a disk whose raw image is {@code file}, computed by standard tools, not by
     * our code: the SHA-256 of the SHA-256s of its 1 MiB blocks.
     */
    static String sha256(Path file) throws Exception {
        return Tools.run("sh", "-c", "split -b 1M --filter='sha256sum | head -c 64 | xxd -r -p' '" + file
                + "' | sha256sum").substring(0, 64);
    }

    /** The host offset of the first data cluster of a qcow2 file's own layer (not its backing). */
    static long firstDataOffset(Path qcow2) throws Exception {
        JsonNode map = new ObjectMapper().readTree(Tools.run("qemu-img", "map", "-U", "--output=json", "-f", "qcow2",
                qcow2.toString()));
        for (JsonNode e : map) {
            if (e.path("data").asBoolean() && e.path("depth").asInt() == 0 && e.has("offset")) {
                return e.path("offset").asLong();
            }
        }
        throw new AssertionError("no data cluster in " + qcow2);
    }

    /**
     * Makes reads of vda's image at the host sector of {@code hostOffset} fail with EIO: a blkdebug node opening
     * the image (locking off) is slid under vda's qcow2 node with {@code blockdev-reopen}.
     */
    void failReadsOfVdaAt(long hostOffset) {
        QemuDisk d = qemu.disks().get(0);
        var json = JsonNodeFactory.instance;
        ObjectNode eio = json.objectNode().put("driver", "blkdebug").put("node-name", EIO_NODE);
        eio.putObject("image").put("driver", "file").put("filename", vda.toString()).put("locking", "off");
        eio.putArray("inject-error").addObject().put("event", "read_aio").put("errno", 5)
                .put("sector", hostOffset / 512);
        qemu.control(new QmpCommand("blockdev-add", eio));
        reopenVdaOn(EIO_NODE);
    }

    /** Puts vda's own storage node back under it and deletes the failing node. */
    void healVda() {
        reopenVdaOn(qemu.disks().get(0).storageNode());
        qemu.control(new QmpCommand("blockdev-del", JsonNodeFactory.instance.objectNode().put("node-name", EIO_NODE)));
    }

    private void reopenVdaOn(String fileNode) {
        ObjectNode reopen = JsonNodeFactory.instance.objectNode();
        reopen.putArray("options").addObject().put("driver", "qcow2")
                .put("node-name", qemu.disks().get(0).formatNode()).put("file", fileNode).putNull("backing");
        qemu.control(new QmpCommand("blockdev-reopen", reopen));
    }

    @Override
    public void close() {
        try {
            conn.close();
        } finally {
            qemu.close();
        }
    }
}
