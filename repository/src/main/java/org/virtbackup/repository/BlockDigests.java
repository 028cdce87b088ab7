// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * The content digest of a disk at a point, kept per block so that it can be computed while the data streams, in
 * parallel, and so that an incremental hashes only the blocks it changed: the SHA-256 of each 1 MiB block of the
 * disk (the last one may be shorter), and the disk's digest is the SHA-256 of those digests, in order. With
 * standard tools, for a raw image: {@code split -b 1M --filter='sha256sum | head -c 64 | xxd -r -p' disk.raw |
 * sha256sum}. A point keeps the block digests beside each file ({@code <disk>.qcow2.blocks.sha256}, 32 bytes per
 * block) for the next incremental to start from.
 */
final class BlockDigests {
    static final int BLOCK = 1 << 20;
    static final String SUFFIX = ".blocks.sha256";
    private static final int LENGTH = 32;

    private final long size;
    private final byte[] digests;

    private BlockDigests(long size, byte[] digests) {
        this.size = size;
        this.digests = digests;
    }

    /** The digests of a disk of {@code size} bytes that reads as zeroes throughout. */
    static BlockDigests zeroes(long size) {
        int n = blocks(size);
        byte[] d = new byte[n * LENGTH];
        byte[] full = sha256(ByteBuffer.allocate(BLOCK));
        for (int i = 0; i < n; i++) {
            System.arraycopy(full, 0, d, i * LENGTH, LENGTH);
        }
        int last = (int) (size - (long) (n - 1) * BLOCK);
        if (n > 0 && last != BLOCK) {
            System.arraycopy(sha256(ByteBuffer.allocate(last)), 0, d, (n - 1) * LENGTH, LENGTH);
        }
        return new BlockDigests(size, d);
    }

    /**
     * The digests a point stored beside its file {@code image}.
     *
     * @throws VirtBackupException READ_FAILED when the file is missing or does not fit a disk of {@code size}
     */
    static BlockDigests read(Path image, long size) {
        Path file = fileOf(image);
        try {
            byte[] d = Files.readAllBytes(file);
            if (d.length != blocks(size) * LENGTH) {
                throw new VirtBackupException(ErrorCode.READ_FAILED, ErrorDomain.STORAGE, "block digests '" + file
                        + "' hold " + d.length + " bytes, not " + blocks(size) * LENGTH + " for a disk of " + size
                        + " bytes: take a full backup");
            }
            return new BlockDigests(size, d);
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.READ_FAILED, ErrorDomain.STORAGE, "cannot read block digests '"
                    + file + "': " + e.getMessage() + "; take a full backup", e);
        }
    }

    /** Stores them beside {@code image}. */
    void write(Path image) {
        Path file = fileOf(image);
        try {
            Files.write(file, digests);
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.WRITE_FAILED, ErrorDomain.STORAGE,
                    "cannot write block digests '" + file + "': " + e.getMessage(), e);
        }
    }

    /** The file of block digests beside {@code image}. */
    static Path fileOf(Path image) {
        return image.resolveSibling(image.getFileName() + SUFFIX);
    }

    /** How many blocks a disk of {@code size} bytes has. */
    static int blocks(long size) {
        return Math.toIntExact((size + BLOCK - 1) / BLOCK);
    }

    /** A copy, to be updated by an incremental. */
    BlockDigests copy() {
        return new BlockDigests(size, digests.clone());
    }

    /** Sets block {@code index}'s digest to that of {@code content} (the whole block). Thread-safe per block. */
    void set(int index, ByteBuffer content) {
        System.arraycopy(sha256(content), 0, digests, index * LENGTH, LENGTH);
    }

    /** The disk's digest, lowercase hex. */
    String total() {
        return HexFormat.of().formatHex(sha256(ByteBuffer.wrap(digests)));
    }

    /** Whether both hold the same block digests. */
    boolean sameAs(BlockDigests other) {
        return size == other.size && Arrays.equals(digests, other.digests);
    }

    private static byte[] sha256(ByteBuffer content) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(content);
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
