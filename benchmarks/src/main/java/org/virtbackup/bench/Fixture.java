// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.virtbackup.qemu.launch.DiskDataGenerator;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.QemuImg;

/**
 * A temporary directory with a generated qcow2 source disk ({@code vda}: random data, repeated bytes,
 * zeroes and holes) attached to a running {@link EmbeddedQemu}, and a state directory for the driver.
 * {@link #close()} stops QEMU (by PID) and deletes the directory.
 */
final class Fixture implements AutoCloseable {
    static final String DISK = "vda";
    static final String DOMAIN = "vm1";

    final Path dir;
    final Path source;
    final Path state;
    final Source sourceInfo;
    final EmbeddedQemu qemu;

    /**
     * What the source holds.
     *
     * @param virtualSize the disk size
     * @param actualSize the qcow2 file's allocated bytes ({@code qemu-img info} actual-size)
     * @param dataBytes the guest ranges {@code qemu-img map} reports as data
     * @param generated the generator's breakdown (random, pattern, zero, hole bytes)
     */
    record Source(long virtualSize, long actualSize, long dataBytes, DiskDataGenerator.Summary generated) {
    }

    private Fixture(Path dir, Path source, Source info, EmbeddedQemu qemu) {
        this.dir = dir;
        this.source = source;
        this.state = dir.resolve("state");
        this.sourceInfo = info;
        this.qemu = qemu;
    }

    /**
     * Creates the directory under {@code parent}, generates the source and starts QEMU.
     *
     * @throws IllegalStateException when less than half the disk is allocated data
     */
    static Fixture create(Path parent, long size, long seed) throws IOException, InterruptedException {
        Files.createDirectories(parent);
        Path dir = Files.createTempDirectory(parent, "virtbackup-bench-");
        try {
            Path source = dir.resolve("source.qcow2");
            DiskDataGenerator.Summary gen = DiskDataGenerator.generate(source, ImageFormat.QCOW2, size, seed);
            Source info = new Source(size, QemuImg.info(source).actualSize(), dataBytes(source), gen);
            if (info.dataBytes() < size / 2 || info.actualSize() < size / 2) {
                throw new IllegalStateException("source '" + source + "' holds only " + info.dataBytes()
                        + " bytes of data for " + size + " bytes; the benchmark needs at least half");
            }
            EmbeddedQemu qemu = EmbeddedQemu.builder().workDir(dir.resolve("qemu")).disk(source, DISK).start();
            return new Fixture(dir, source, info, qemu);
        } catch (IOException | InterruptedException | RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
    }

    /** Sum of the {@code "data": true} extents of {@code qemu-img map}. */
    static long dataBytes(Path image) throws IOException, InterruptedException {
        JsonNode map = new ObjectMapper().readTree(Commands.run("qemu-img", "map", "--output=json",
                image.toString()));
        long data = 0;
        for (JsonNode e : map) {
            if (e.path("data").asBoolean()) {
                data += e.path("length").asLong();
            }
        }
        return data;
    }

    /** The format node QEMU's device uses, the source of every QMP backup. */
    String sourceNode() {
        return qemu.disks().get(0).formatNode();
    }

    /** Flushes the source so that {@code qemu-img -U} reads current metadata (notes §8 gotcha 4). */
    void flush() {
        qemu.guestFlush(DISK);
    }

    /** Whether {@code backup} (and its backing chain) reads the same as the source, after a flush. */
    boolean matchesSource(Path backup) {
        flush();
        return QemuImg.identical(source, backup, true);
    }

    /** Deletes {@code files} if they exist and lets the kernel write back what is pending, untimed. */
    void discard(Path... files) throws IOException, InterruptedException {
        deleteAndSync(files);
    }

    /** Deletes {@code files} if they exist, then runs {@code sync}. */
    static void deleteAndSync(Path... files) throws IOException, InterruptedException {
        for (Path p : files) {
            Files.deleteIfExists(p);
        }
        Commands.run("sync");
    }

    @Override
    public void close() {
        try {
            qemu.close();
        } finally {
            deleteTree(dir);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("warning: cannot delete '" + dir + "': " + e.getMessage());
        }
    }
}
