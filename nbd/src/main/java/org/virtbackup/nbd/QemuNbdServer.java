// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.nbd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * A {@code qemu-nbd} process serving one image on a unix socket, so that QEMU's own block layer reads and
 * writes the image (qcow2 included) while we speak NBD to it through libnbd. It runs with {@code --persistent}
 * (several connections come and go) and {@code --shared} for parallel clients, and stops by its PID: SIGTERM
 * (qemu-nbd then flushes and closes the image), repeated, then SIGKILL after 10 s.
 *
 * @since 0.1
 */
public final class QemuNbdServer implements AutoCloseable {
    private static final long START_TIMEOUT_MS = 10_000;

    private final Process process;
    private final Path socket;
    private final Path log;
    private final Path pidFile;

    private QemuNbdServer(Process process, Path socket, Path log, Path pidFile) {
        this.process = process;
        this.socket = socket;
        this.log = log;
        this.pidFile = pidFile;
    }

    /** Serves {@code image} read-only (backing chain included) to up to {@code clients} connections. */
    public static QemuNbdServer readOnly(Path image, String format, Path socket, int clients) {
        return start(socket, List.of("--read-only", "--shared=" + clients, "--format=" + format,
                image.toString()));
    }

    /**
     * When a writable server's writes reach the disk.
     *
     * @since 0.1
     */
    public enum Durability {
        /** At each flush request the client sends: qemu-nbd syncs the file (its default cache mode). */
        SYNC_ON_FLUSH,
        /**
         * Never by the server ({@code --cache=unsafe}): a flush request still writes QEMU's caches (qcow2 metadata)
         * back to the file, so that the file is whole once it is acknowledged, but does not sync it, nor does the
         * image format's own ordering (a new qcow2 table costs no sync). For a file nobody trusts until its writer
         * has synced it itself, such as a backup point published only after its files are fsynced.
         */
        CALLER_SYNCS
    }

    /**
     * Serves {@code image} for writing to up to {@code clients} connections; zeroed ranges become holes
     * ({@code --discard=unmap --detect-zeroes=unmap}) so that a backup stays sparse.
     */
    public static QemuNbdServer writable(Path image, String format, Path socket, int clients) {
        return writable(image, format, socket, clients, Durability.SYNC_ON_FLUSH);
    }

    /** As {@link #writable(Path, String, Path, int)}, with the writes made durable as {@code durability} says. */
    public static QemuNbdServer writable(Path image, String format, Path socket, int clients,
                                         Durability durability) {
        return start(socket, writeArgs(clients, durability, List.of("--format=" + format, image.toString())));
    }

    /**
     * As {@link #writable} for a qcow2 {@code image} whose data clusters are all written compressed: QEMU's
     * {@code compress} filter over the qcow2 node (zeroes still become holes). A compressed cluster is never
     * rewritten in place, so this suits a file written once, such as a backup.
     */
    public static QemuNbdServer writableCompressed(Path image, Path socket, int clients) {
        return writableCompressed(image, socket, clients, Durability.SYNC_ON_FLUSH);
    }

    /** As {@link #writableCompressed(Path, Path, int)}, with the writes made durable as {@code durability} says. */
    public static QemuNbdServer writableCompressed(Path image, Path socket, int clients, Durability durability) {
        return start(socket, writeArgs(clients, durability, List.of("--image-opts",
                "driver=compress,file.driver=qcow2,file.file.driver=file,file.file.filename="
                        + image.toString().replace(",", ",,"))));
    }

    private static List<String> writeArgs(int clients, Durability durability, List<String> image) {
        List<String> args = new ArrayList<>(List.of("--shared=" + clients, "--discard=unmap",
                "--detect-zeroes=unmap"));
        if (durability == Durability.CALLER_SYNCS) {
            args.add("--cache=unsafe");
        }
        args.addAll(image);
        return args;
    }

    /**
     * Starts {@code qemu-nbd --socket=SOCKET --persistent ARGS...} and waits until the socket exists.
     *
     * @throws VirtBackupException OPERATION_FAILED when it cannot start, with qemu-nbd's own message
     */
    public static QemuNbdServer start(Path socket, List<String> args) {
        Objects.requireNonNull(socket, "socket");
        Path log = socket.resolveSibling(socket.getFileName() + ".log");
        Path pidFile = socket.resolveSibling(socket.getFileName() + ".pid");
        List<String> cmd = new ArrayList<>(List.of("qemu-nbd", "--socket=" + socket, "--persistent",
                "--pid-file=" + pidFile));
        cmd.addAll(args);
        Process p;
        try {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(pidFile);
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.OPERATION_FAILED, ErrorDomain.STORAGE,
                    "cannot run qemu-nbd (install qemu-utils): " + e.getMessage(), e);
        }
        QemuNbdServer server = new QemuNbdServer(p, socket, log, pidFile);
        server.awaitSocket(String.join(" ", cmd));
        return server;
    }

    /** {@code nbd+unix:///?socket=...}: the default export. */
    public String uri() {
        return "nbd+unix:///?socket=" + socket;
    }

    /** The process id. */
    public long pid() {
        return process.pid();
    }

    /** Whether the process still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL now, as a crash would: for tests of a server that vanishes. */
    public void kill() {
        process.destroyForcibly();
        waitFor(5_000);
    }

    /** Stops the server (SIGTERM, repeated; SIGKILL after 10 s) and removes its socket and log. */
    @Override
    public void close() {
        // SIGTERM again every half second: qemu-nbd 7.2 can lose one that arrives while it starts up (seen here
        // about once in a few dozen starts: it then ran on until SIGKILL)
        for (int i = 0; i < 20 && process.isAlive(); i++) {
            process.destroy();
            waitFor(500);
        }
        if (process.isAlive()) {
            process.destroyForcibly();
            waitFor(5_000);
        }
        try {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(log);
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            // leftovers in a private directory the caller removes; nothing to act on here
        }
    }

    private void awaitSocket(String command) {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (!accepts()) {
            if (!process.isAlive() || System.currentTimeMillis() > deadline) {
                String out = readLog();
                close();
                throw new VirtBackupException(ErrorCode.OPERATION_FAILED, ErrorDomain.STORAGE,
                        "qemu-nbd did not start (" + command + "): " + out.strip());
            }
            sleep(10);
        }
    }

    /**
     * qemu-nbd writes its pid file once its socket listens and its export is open. A probe connection instead
     * once left qemu-nbd 7.2 unable to exit on SIGTERM (the probe's half-negotiated client was never dropped).
     */
    private boolean accepts() {
        return Files.exists(pidFile) && Files.exists(socket);
    }

    private String readLog() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private boolean waitFor(long millis) {
        try {
            return process.waitFor(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VirtBackupException(ErrorCode.OPERATION_ABORTED, ErrorDomain.STORAGE,
                    "interrupted while waiting for qemu-nbd", e);
        }
    }
}
