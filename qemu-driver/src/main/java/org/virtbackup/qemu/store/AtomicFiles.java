// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * Crash-safe file updates: after a crash a file has either its old or its new content, never a mix, and a
 * rename or delete that returned has reached the disk.
 */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /**
     * Replaces {@code file} with {@code content}: a 0600 temporary file in the same directory, fsync, rename
     * over the target, fsync of the directory.
     */
    public static void write(Path file, String content) {
        write(file, content, true);
    }

    /**
     * Replaces {@code file} with {@code content} as {@link #write} does, but without any fsync: a process that
     * dies leaves the old or the new content (the kernel keeps what was written), an operating system crash
     * may leave the old one. For state whose loss with the machine is harmless.
     */
    public static void replace(Path file, String content) {
        write(file, content, false);
    }

    private static void write(Path file, String content, boolean durable) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + file.getFileName() + ".new");
        try {
            writeTemp(tmp, content, durable);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            if (durable) {
                syncDirectory(dir);
            }
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new VirtBackupException(ErrorCode.WRITE_FAILED, ErrorDomain.QEMU,
                    "cannot write '" + file + "': " + e.getMessage(), e);
        }
    }

    /**
     * Replaces {@code file} with {@code content} and deletes {@code gone}, a file of the same directory, with
     * one fsync of the content and one of the directory: after a crash, {@code gone} is deleted only if
     * {@code file} has its new content.
     */
    public static void writeAndDelete(Path file, String content, Path gone) {
        Path dir = file.toAbsolutePath().getParent();
        if (!dir.equals(gone.toAbsolutePath().getParent())) {
            throw new IllegalArgumentException(gone + " is not in " + dir);
        }
        Path tmp = dir.resolve("." + file.getFileName() + ".new");
        try {
            writeTemp(tmp, content, true);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.deleteIfExists(gone);
            syncDirectory(dir);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new VirtBackupException(ErrorCode.WRITE_FAILED, ErrorDomain.QEMU,
                    "cannot write '" + file + "' and delete '" + gone + "': " + e.getMessage(), e);
        }
    }

    /** A new 0600 file holding {@code content}, fsynced if {@code sync}. */
    private static void writeTemp(Path tmp, String content, boolean sync) throws IOException {
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            if (sync) {
                ch.force(true);
            }
        }
    }

    /**
     * Makes what {@link #replace} wrote durable after all: an fsync of each file that exists, then one of their
     * directory. The files must share {@code dir}.
     */
    public static void sync(Path dir, Path... files) {
        try {
            for (Path f : files) {
                if (!dir.equals(f.toAbsolutePath().getParent())) {
                    throw new IllegalArgumentException(f + " is not in " + dir);
                }
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                    ch.force(true);
                } catch (NoSuchFileException gone) {
                    // nothing to make durable
                }
            }
            syncDirectory(dir);
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.WRITE_FAILED, ErrorDomain.QEMU,
                    "cannot make the files in '" + dir + "' durable: " + e.getMessage(), e);
        }
    }

    /** Reads a file that may be missing. */
    public static Optional<String> read(Path file) {
        // Most reads look for a file that is absent (no job on record, at every listing): JDK 17's Files.exists
        // answers without the NoSuchFileException (and its stack trace) that the read would build. A file
        // removed in between still ends in the catch below.
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.READ_FAILED, ErrorDomain.QEMU,
                    "cannot read '" + file + "': " + e.getMessage(), e);
        }
    }

    /**
     * Deletes a file (absent is fine) and syncs its directory.
     *
     * @return whether the file existed
     */
    public static boolean delete(Path file) {
        try {
            boolean existed = Files.deleteIfExists(file);
            if (existed) {
                syncDirectory(file.toAbsolutePath().getParent());
            }
            return existed;
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.SYSTEM_ERROR, ErrorDomain.QEMU,
                    "cannot delete '" + file + "': " + e.getMessage(), e);
        }
    }

    /** Makes a rename or delete in {@code dir} durable (fsync of the directory, as libvirt's virFileRewrite). */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: the write already failed and that error is the one reported
        }
    }
}
