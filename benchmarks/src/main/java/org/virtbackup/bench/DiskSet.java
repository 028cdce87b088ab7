// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.virtbackup.qemu.launch.DiskDataGenerator;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.EmbeddedQemuBuilder;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.QemuDisk;

/**
 * A temporary directory with {@code n} small qcow2 disks ({@code vda}, {@code vdb}, ...), each a sparse copy of
 * one generated image (random data, repeated bytes, zeroes, holes), attached to a running {@link EmbeddedQemu},
 * and a state directory for the driver. {@link #close()} stops QEMU (by PID) and deletes the directory.
 */
final class DiskSet implements AutoCloseable {
    final Path dir;
    final Path state;
    final List<String> names;
    final long diskSize;
    final EmbeddedQemu qemu;

    private DiskSet(Path dir, List<String> names, long diskSize, EmbeddedQemu qemu) {
        this.dir = dir;
        this.state = dir.resolve("state");
        this.names = List.copyOf(names);
        this.diskSize = diskSize;
        this.qemu = qemu;
    }

    /** Creates the directory under {@code parent}, {@code n} disks of {@code size} bytes, and starts QEMU. */
    static DiskSet create(Path parent, int n, long size, long seed) throws IOException, InterruptedException {
        if (n < 1 || n > 26) {
            throw new IllegalArgumentException("1 to 26 disks, not " + n);
        }
        Files.createDirectories(parent);
        Path dir = Files.createTempDirectory(parent, "virtbackup-bench-");
        try {
            Path template = dir.resolve("template.qcow2");
            DiskDataGenerator.generate(template, ImageFormat.QCOW2, size, seed);
            List<String> names = new ArrayList<>();
            EmbeddedQemuBuilder b = EmbeddedQemu.builder().workDir(dir.resolve("qemu"));
            for (int i = 0; i < n; i++) {
                String name = "vd" + (char) ('a' + i);
                Path image = dir.resolve(name + ".qcow2");
                Commands.run("cp", "--sparse=always", template.toString(), image.toString());
                b.disk(QemuDisk.qcow2(image, name));
                names.add(name);
            }
            Files.delete(template);
            return new DiskSet(dir, names, size, b.start());
        } catch (IOException | InterruptedException | RuntimeException e) {
            Fixture.deleteTree(dir);
            throw e;
        }
    }

    /** The driver's options for this domain, plus {@code extra} key/value pairs. */
    Map<String, String> options(String... extra) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("stateDir", state.toString());
        for (int i = 0; i + 1 < extra.length; i += 2) {
            m.put(extra[i], extra[i + 1]);
        }
        return m;
    }

    /** The format node of disk {@code i}, as QEMU's device uses it. */
    String formatNode(int i) {
        return qemu.disks().get(i).formatNode();
    }

    @Override
    public void close() {
        try {
            qemu.close();
        } finally {
            Fixture.deleteTree(dir);
        }
    }
}
