// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.qemu.launch.DiskDataGenerator;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.testing.QemuLeftovers;

/** A real QEMU with two qcow2 disks of varied data (vda, vdb), a state directory, and a connection. */
final class DomainFixture implements AutoCloseable {

    static final long SIZE = 64L << 20;

    final Path dir;
    final Path vda;
    final Path vdb;
    final Path state;
    final EmbeddedQemu qemu;
    private Connection conn;

    DomainFixture(Path dir) {
        this(dir, SIZE);
    }

    /** Disks of {@code size} bytes each (the soak and race tests use small ones). */
    DomainFixture(Path dir, long size) {
        this(dir, size, new String[0]);
    }

    /** With extra QEMU arguments, e.g. {@code -action reboot=shutdown}. */
    DomainFixture(Path dir, long size, String... qemuArgs) {
        this.dir = dir;
        this.vda = dir.resolve("vda.qcow2");
        this.vdb = dir.resolve("vdb.qcow2");
        this.state = dir.resolve("state");
        DiskDataGenerator.generate(vda, ImageFormat.QCOW2, size, 1);
        DiskDataGenerator.generate(vdb, ImageFormat.QCOW2, size, 2);
        this.qemu = EmbeddedQemu.builder().workDir(dir.resolve("qemu")).disk(vda, "vda").disk(vdb, "vdb")
                .extraArgs(qemuArgs).start();
    }

    /** A new connection (closing the previous one), as a separate process would make. */
    Domain reconnect() {
        return reconnect(Map.of());
    }

    /** A new connection with extra driver options, e.g. {@code backupSpeed}. */
    Domain reconnect(Map<String, String> options) {
        disconnect();
        Map<String, String> all = new java.util.HashMap<>(options);
        all.put("stateDir", state.toString());
        conn = Connections.open(qemu.qmpUri("vm1"), all);
        return conn.domain();
    }

    /** A connection whose push jobs copy at 1 MiB/s: a 64 MiB disk takes a minute, time enough to act. */
    Domain slow() {
        return reconnect(Map.of("backupSpeed", Long.toString(1 << 20)));
    }

    /** Lets go of the QMP socket, as a CLI verb does when it ends. */
    void disconnect() {
        if (conn != null) {
            conn.close();
            conn = null;
        }
    }

    Domain domain() {
        return conn != null ? conn.domain() : reconnect();
    }

    void flush() {
        qemu.guestFlush("vda");
        qemu.guestFlush("vdb");
    }

    /** The node {@link #failWritesUnder} adds; delete it with {@link #removeFailingNode} after the job ended. */
    static final String EIO_NODE = "test-eio";

    /**
     * Makes every write of the running qcow2 node {@code formatNode} (an image at {@code file}) fail with EIO: a
     * blkdebug node opening the file itself (locking off) is slid under it with {@code blockdev-reopen}, so that
     * virtbackup's own storage node stays free to be deleted (qemu-7.2-qmp-notes.md §4 d).
     *
     * @param backing the node's backing node, or null for none
     */
    void failWritesUnder(String formatNode, Path file, String backing) {
        var json = JsonNodeFactory.instance;
        var eio = json.objectNode().put("driver", "blkdebug").put("node-name", EIO_NODE);
        eio.putObject("image").put("driver", "file").put("filename", file.toString()).put("locking", "off");
        eio.putArray("inject-error").addObject().put("event", "write_aio").put("errno", 5);
        qemu.control(new QmpCommand("blockdev-add", eio));
        var reopen = json.objectNode();
        var options = reopen.putArray("options").addObject().put("driver", "qcow2").put("node-name", formatNode)
                .put("file", EIO_NODE);
        if (backing == null) {
            options.putNull("backing");
        } else {
            options.put("backing", backing);
        }
        qemu.control(new QmpCommand("blockdev-reopen", reopen));
    }

    /** Deletes the node of {@link #failWritesUnder}. */
    void removeFailingNode() {
        qemu.control(new QmpCommand("blockdev-del",
                JsonNodeFactory.instance.objectNode().put("node-name", EIO_NODE)));
    }

    /**
     * Polls QEMU's control socket (not virtbackup's) until the jobs concluded: the job finishes with nobody of
     * virtbackup looking, so that the next virtbackup call is the one that sees it finished.
     */
    void awaitConcludedInQemu(String... jobs) throws InterruptedException {
        awaitConcludedIn(qemu, jobs);
    }

    /** {@link #awaitConcludedInQemu} for a QEMU of the caller's. */
    static void awaitConcludedIn(EmbeddedQemu qemu, String... jobs) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            var reply = qemu.control(QmpCommand.of("query-jobs"));
            long concluded = 0;
            for (var j : reply) {
                if (List.of(jobs).contains(j.path("id").asText()) && j.path("status").asText().equals("concluded")) {
                    concluded++;
                }
            }
            if (concluded == jobs.length) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the jobs did not conclude in QEMU");
    }

    /** Nothing virtbackup made is left in QEMU: no nodes beyond the disks', no jobs, exports or temp bitmaps. */
    void assertNoLeftoversInQemu() {
        disconnect();
        QemuLeftovers.Report r = QemuLeftovers.inspect(qemu);
        assertThat(r.isClean()).as("leftovers in QEMU: %s", r).isTrue();
        assertThat(state.resolve("vm1").resolve("backup.json")).doesNotExist();
    }

    /** Every dirty bitmap in QEMU, as {@code node/name}. */
    List<String> bitmaps() {
        return QemuLeftovers.bitmaps(qemu);
    }

    /** The files in the work directory besides the disks, QEMU's own directory and the state. */
    List<String> strayFiles() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> !Set.of("vda.qcow2", "vdb.qcow2", "qemu", "state").contains(n)).sorted().toList();
        }
    }

    boolean identical(Path source, Path backup) {
        return QemuImg.identical(source, backup, true);
    }

    @Override
    public void close() {
        try {
            if (conn != null) {
                conn.close();
            }
        } finally {
            qemu.close();
        }
    }
}
