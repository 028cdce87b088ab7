// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.launch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Fills a new image with varied, reproducible content: runs of random data, runs of a repeated byte, runs of
 * explicit zeroes and holes, chosen from a seed. The same seed and size always give the same content, so a
 * test can regenerate its expectation instead of storing it.
 *
 * <p>The content is written as a sparse raw file and, for qcow2, converted with {@code qemu-img convert}
 * (which turns zero runs into unallocated clusters, as a real disk's zeroes would be after a backup).
 */
public final class DiskDataGenerator {
    /** Content is laid out in 64 KiB blocks, the default qcow2 cluster and bitmap granularity. */
    public static final int BLOCK = 64 * 1024;

    private DiskDataGenerator() {
    }

    /**
     * Summary of what was written.
     *
     * @param size the virtual size
     * @param randomBytes bytes of random data
     * @param patternBytes bytes of repeated non-zero bytes
     * @param zeroBytes bytes written as explicit zeroes
     * @param holeBytes bytes left unwritten
     */
    public record Summary(long size, long randomBytes, long patternBytes, long zeroBytes, long holeBytes) {
    }

    /**
     * Creates {@code image} (which must not exist) of {@code size} bytes, a multiple of {@link #BLOCK}.
     *
     * @throws IllegalArgumentException for a size that is not a positive multiple of 64 KiB
     */
    public static Summary generate(Path image, ImageFormat format, long size, long seed) {
        if (size <= 0 || size % BLOCK != 0) {
            throw new IllegalArgumentException("size must be a positive multiple of " + BLOCK + ", got " + size);
        }
        if (format == ImageFormat.RAW) {
            return writeRaw(image, size, seed);
        }
        Path raw = image.resolveSibling(image.getFileName() + ".gen.raw");
        try {
            Summary s = writeRaw(raw, size, seed);
            QemuImg.convert(raw, ImageFormat.RAW, image, format);
            return s;
        } finally {
            try {
                Files.deleteIfExists(raw);
            } catch (IOException e) {
                // a leftover temp file is harmless; the caller's directory cleanup takes it
            }
        }
    }

    private static Summary writeRaw(Path file, long size, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long[] bytes = new long[4]; // random, pattern, zero, hole
        byte[] buf = new byte[BLOCK];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long blocks = size / BLOCK;
            long b = 0;
            while (b < blocks) {
                int kind = kind(rnd.nextInt(100));
                long run = Math.min(blocks - b, 1 + rnd.nextInt(16));
                int fill = 1 + rnd.nextInt(255);
                for (long i = 0; i < run; i++, b++) {
                    if (kind == 0) {
                        rnd.nextBytes(buf);
                    } else {
                        Arrays.fill(buf, kind == 1 ? (byte) fill : 0);
                    }
                    if (kind != 3) {
                        ch.write(ByteBuffer.wrap(buf), b * BLOCK);
                    }
                    bytes[kind] += BLOCK;
                }
            }
            if (ch.size() < size) {
                ch.write(ByteBuffer.allocate(1), size - 1); // extends to full size; the last byte reads 0 anyway
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write test data to '" + file + "'", e);
        }
        return new Summary(size, bytes[0], bytes[1], bytes[2], bytes[3]);
    }

    /** 40% random, 20% repeated byte, 15% explicit zeroes, 25% holes. */
    private static int kind(int percent) {
        return percent < 40 ? 0 : percent < 60 ? 1 : percent < 75 ? 2 : 3;
    }
}
