// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * What a run of {@code repo backup} leaves in its partial point before it starts the backup job, so that the
 * next run can clean up after it when it was killed: the private directory of its NBD sockets (the job's
 * export and the {@code qemu-nbd} servers, with their pid files). Removed before the manifest is written.
 */
final class RunRecord {
    static final String FILE = "run";

    private RunRecord() {
    }

    /** Records {@code sockets} in {@code part}, durably: the job starts only after this. */
    static void write(Path part, Path sockets) {
        Path file = part.resolve(FILE);
        try {
            Files.writeString(file, sockets + "\n");
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.WRITE_FAILED, ErrorDomain.STORAGE,
                    "cannot write '" + file + "': " + e.getMessage(), e);
        }
        PointFiles.fsync(file);
        PointFiles.fsync(part);
    }

    /** The sockets directory a run recorded in {@code part}, if it did. */
    static Optional<Path> sockets(Path part) {
        Path file = part.resolve(FILE);
        try {
            return Files.isRegularFile(file) ? Optional.of(Path.of(Files.readString(file).strip()))
                    .filter(Path::isAbsolute) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // a torn record: only the partial point is removed
        }
    }

    /** Removes the record from {@code part} (the point is about to be complete). */
    static void remove(Path part) {
        PointFiles.deleteTree(part.resolve(FILE));
    }

    /**
     * Stops the {@code qemu-nbd} servers a killed run left in {@code sockets} (each wrote
     * {@code <name>.sock.pid}): a process is stopped only when it still is a qemu-nbd serving that socket, so a
     * reused PID is never touched.
     *
     * @return how many servers were stopped
     */
    static int stopServers(Path sockets) {
        if (!Files.isDirectory(sockets)) {
            return 0;
        }
        int stopped = 0;
        for (Path pidFile : pidFiles(sockets)) {
            String socket = pidFile.toString().substring(0, pidFile.toString().length() - ".pid".length());
            Optional<ProcessHandle> p = pid(pidFile).flatMap(ProcessHandle::of).filter(h -> servesSocket(h, socket));
            if (p.isPresent()) {
                stop(p.get());
                stopped++;
            }
        }
        return stopped;
    }

    private static List<Path> pidFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".sock.pid")).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Optional<Long> pid(Path pidFile) {
        try {
            return Optional.of(Long.parseLong(Files.readString(pidFile).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static boolean servesSocket(ProcessHandle h, String socket) {
        ProcessHandle.Info info = h.info();
        return info.command().filter(c -> c.endsWith("qemu-nbd")).isPresent()
                && info.arguments().filter(a -> List.of(a).contains("--socket=" + socket)).isPresent();
    }

    private static void stop(ProcessHandle h) {
        h.destroy(); // SIGTERM: qemu-nbd flushes and closes its image
        try {
            h.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            h.destroyForcibly();
        }
    }
}
