// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * The file operations that make a point appear only when complete: the manifest written to a temporary file,
 * fsynced and renamed; the point's directory renamed from its hidden partial name, and its parent fsynced, so
 * that after a crash a point is either absent or complete (the qcow2 files are fsynced here: qemu-nbd wrote them
 * back to the file system at the copy's flush, without syncing them).
 */
final class PointFiles {
    private PointFiles() {
    }

    /** Writes {@code dir/manifest.json} atomically and durably. */
    static void writeManifest(Path dir, PointManifest manifest) {
        Path tmp = dir.resolve(Repository.MANIFEST + ".tmp");
        Path target = dir.resolve(Repository.MANIFEST);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(StandardCharsets.UTF_8.encode(ManifestJson.format(manifest)));
            ch.force(true);
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.WRITE_FAILED, ErrorDomain.STORAGE,
                    "cannot write manifest '" + tmp + "': " + e.getMessage(), e);
        }
        move(tmp, target);
        for (Path f : files(dir)) {
            fsync(f); // the qcow2 files too: qemu-nbd wrote them back without syncing them (TargetImage)
        }
        fsync(dir);
    }

    /** Replaces the manifest of a complete point, atomically and durably. */
    static void rewriteManifest(Path dir, PointManifest manifest) {
        PointFiles.deleteTree(dir.resolve(Repository.MANIFEST + ".tmp"));
        writeManifest(dir, manifest);
    }

    /** Renames {@code from} over {@code to}, durably: a file rewritten beside its old self. */
    static void replace(Path from, Path to) {
        fsync(from);
        move(from, to);
        fsync(to.getParent());
    }

    /** Renames the partial directory {@code part} to {@code done} and makes the rename durable. */
    static Path publish(Path part, Path done) {
        move(part, done);
        fsync(done.getParent());
        return done;
    }

    /** Removes {@code dir} and what it holds; a missing directory is fine. */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // removed meanwhile: the goal is reached
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.WRITE_FAILED, ErrorDomain.STORAGE,
                    "cannot remove '" + dir + "': " + e.getMessage(), e);
        }
    }

    private static void move(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new VirtBackupException(ErrorCode.WRITE_FAILED, ErrorDomain.STORAGE,
                    "cannot rename '" + from + "' atomically: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.WRITE_FAILED, ErrorDomain.STORAGE,
                    "cannot rename '" + from + "' to '" + to + "': " + e.getMessage(), e);
        }
    }

    private static java.util.List<Path> files(Path dir) {
        try (var s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.READ_FAILED, ErrorDomain.STORAGE,
                    "cannot list '" + dir + "': " + e.getMessage(), e);
        }
    }

    static void fsync(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.WRITE_FAILED, ErrorDomain.STORAGE,
                    "cannot sync '" + path + "' to disk: " + e.getMessage(), e);
        }
    }
}
