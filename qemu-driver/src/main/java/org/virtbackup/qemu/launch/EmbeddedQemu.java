// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.launch;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.qmp.QmpDisconnectedException;
import org.virtbackup.qemu.qmp.QmpException;
import org.virtbackup.qemu.qmp.QmpRunState;

/**
 * A QEMU this process starts and owns, with disks but no guest OS: for tests, the demo, examples and
 * benchmarks.
 *
 * <pre>{@code
 * try (EmbeddedQemu qemu = EmbeddedQemu.builder()
 *         .disk(QemuDisk.qcow2(dir.resolve("vda.qcow2"), "vda"))
 *         .disk(QemuDisk.qcow2(dir.resolve("vdb.qcow2"), "vdb"))
 *         .start()) {
 *     qemu.guestWrite("vda", 0, 65536, 0xab);
 *     try (QmpChannel qmp = qemu.openQmp()) {
 *         qmp.execute(QmpCommand.of("query-block"));
 *     }
 * }
 * }</pre>
 *
 * <p>QEMU gets two monitors: the public {@link #qmpSocket()} for the caller (one client at a time, SPEC §2),
 * and a private one the launcher keeps for guest I/O and {@code quit}, so both work while the caller holds the
 * public socket. No QEMU outlives its owner: {@link #close()} quits it (then SIGTERM, then SIGKILL, by PID)
 * and a JVM shutdown hook does the same if the JVM exits first.
 */
public final class EmbeddedQemu implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedQemu.class);
    private static final Duration QUIT_WAIT = Duration.ofSeconds(10);
    private static final Duration TERM_WAIT = Duration.ofSeconds(5);

    private final Process process;
    private final QemuLaunchConfig config;
    private final Thread shutdownHook;
    private QmpChannel control;
    private GuestIo guestIo;
    private boolean closed;

    private EmbeddedQemu(Process process, QemuLaunchConfig config) {
        this.process = process;
        this.config = config;
        this.shutdownHook = new Thread(this::emergencyStop, "embedded-qemu-reaper-" + process.pid());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** A builder: q35 TCG paused, no disks, a private work directory. */
    public static EmbeddedQemuBuilder builder() {
        return new EmbeddedQemuBuilder();
    }

    /** Starts QEMU for {@code config} and waits until its monitors accept connections. */
    static EmbeddedQemu start(QemuLaunchConfig config) {
        List<String> argv = QemuCommandLine.build(config.binary(), config.machine(), config.qmpSocket(),
                config.controlSocket(), config.disks(), config.extraArgs());
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(config.logFile().toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new QemuProcessException("cannot start '" + config.binary() + "': " + e.getMessage()
                    + "; install it with '" + QemuBinaries.installHint(config.binary()) + "'", e);
        }
        EmbeddedQemu qemu = new EmbeddedQemu(p, config);
        try {
            qemu.control = QemuStartup.awaitMonitor(p, config);
            qemu.guestIo = new GuestIo(qemu.control, config.machine());
        } catch (RuntimeException e) {
            qemu.kill();
            qemu.close();
            throw e;
        }
        LOG.info("started QEMU pid {} in '{}': {}", p.pid(), config.workDir(), String.join(" ", argv));
        return qemu;
    }

    /** QEMU's process id. */
    public long pid() {
        return process.pid();
    }

    /** Whether the QEMU process is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, once QEMU has exited. */
    public Optional<Integer> exitCode() {
        return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
    }

    /** The work directory holding the sockets and the log. */
    public Path workDir() {
        return config.workDir();
    }

    /** The public QMP socket, for the caller or the driver. */
    public Path qmpSocket() {
        return config.qmpSocket();
    }

    /** QEMU's stdout and stderr. */
    public Path logFile() {
        return config.logFile();
    }

    /** The disks, in command-line order; unmodifiable. */
    public List<QemuDisk> disks() {
        return config.disks();
    }

    /** The machine type QEMU runs. */
    public MachineType machine() {
        return config.machine();
    }

    /**
     * The connection URI for the virtbackup driver, {@code qmp+unix:///<socket>?domain=NAME}.
     *
     * @throws IllegalArgumentException when {@code domainName} contains '&amp;' or '='
     */
    public URI qmpUri(String domainName) {
        Objects.requireNonNull(domainName, "domainName");
        if (domainName.isEmpty() || domainName.contains("&") || domainName.contains("=")) {
            throw new IllegalArgumentException("domain name '" + domainName + "' cannot be put in a uri query");
        }
        try {
            return new URI("qmp+unix", "", qmpSocket().toString(), "domain=" + domainName, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("cannot build a qmp uri for '" + qmpSocket() + "': " + e.getMessage(), e);
        }
    }

    /**
     * A new, connected channel on the public socket; the caller closes it. Only one can be open at a time.
     *
     * @throws org.virtbackup.qemu.qmp.QmpConnectException when another client holds the socket
     */
    public QmpChannel openQmp() {
        QmpChannel ch = QmpChannel.unix(qmpSocket());
        ch.connect();
        return ch;
    }

    /**
     * Writes {@code length} bytes of {@code pattern} at {@code offset}, through the device as a guest would.
     *
     * @param pattern a byte value, 0 to 255
     * @throws IllegalArgumentException for a range past the end, a read-only disk, or an unknown disk
     * @throws QemuProcessException when QEMU reports the write failed
     */
    public void guestWrite(String deviceId, long offset, long length, int pattern) {
        if (pattern < 0 || pattern > 255) {
            throw new IllegalArgumentException("pattern must be a byte value 0..255, got " + pattern);
        }
        io(deviceId, String.format("write -P 0x%02x %d %d", pattern, offset, length), offset, length);
    }

    /** Writes zeroes ({@code write -z}), which a qcow2 records as zero clusters. */
    public void guestWriteZeroes(String deviceId, long offset, long length) {
        io(deviceId, "write -z " + offset + " " + length, offset, length);
    }

    /** Discards a range; it reaches the image because disks are attached with {@code discard: unmap}. */
    public void guestDiscard(String deviceId, long offset, long length) {
        io(deviceId, "discard " + offset + " " + length, offset, length);
    }

    /** Flushes the disk, so that {@code qemu-img} sees current metadata (qemu-7.2-qmp-notes.md §8, gotcha 4). */
    public void guestFlush(String deviceId) {
        io(deviceId, "flush", 0, 0);
    }

    /**
     * Runs a command on the private control monitor, beside whoever holds the public socket: for tests and
     * benchmarks that must act on QEMU while the driver works (e.g. {@code block-job-set-speed}).
     *
     * @return the command's return value
     */
    public com.fasterxml.jackson.databind.JsonNode control(org.virtbackup.qemu.qmp.QmpCommand command) {
        requireOpen("control command " + command.execute());
        return control.execute(command);
    }

    /**
     * Listens to events on the private control monitor: QEMU sends every event to each monitor, so a benchmark
     * sees the moment QEMU reports a change, whoever holds the public socket.
     */
    public org.virtbackup.qemu.qmp.QmpEventListener listenControl(String... eventNames) {
        requireOpen("listen for control events");
        return control.listen(eventNames);
    }

    private void io(String deviceId, String command, long offset, long length) {
        QemuDisk disk = config.disks().stream().filter(d -> d.deviceId().equals(deviceId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no disk '" + deviceId + "' in this QEMU; disks: "
                        + config.disks().stream().map(QemuDisk::deviceId).toList()));
        requireOpen("guest i/o");
        guestIo.run(disk, command, offset, length);
    }

    private synchronized void requireOpen(String what) {
        if (closed || control == null || control.state() != QmpRunState.RUNNING) {
            throw new IllegalStateException("cannot do " + what + ": QEMU pid " + pid() + " is "
                    + (closed ? "closed" : process.isAlive() ? "not reachable" : "not running"));
        }
    }

    /** Kills QEMU with SIGKILL and waits for it, for crash tests. Persistent bitmaps stay {@code in-use}. */
    public void kill() {
        process.destroyForcibly();
        QemuStartup.waitFor(process, QUIT_WAIT);
    }

    /**
     * Stops QEMU and waits for it: {@code quit} over the launcher's monitor, then SIGTERM, then SIGKILL.
     * Deletes the work directory if the builder created it (unless told to keep it). Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        quitOverQmp();
        if (!QemuStartup.waitFor(process, QUIT_WAIT)) {
            LOG.warn("QEMU pid {} ignored quit; sending SIGTERM", pid());
            process.destroy();
            if (!QemuStartup.waitFor(process, TERM_WAIT)) {
                LOG.warn("QEMU pid {} ignored SIGTERM; sending SIGKILL", pid());
                kill();
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down; the hook will find QEMU gone
        }
        if (config.deleteWorkDir()) {
            QemuStartup.deleteWorkDir(config);
        }
    }

    private void quitOverQmp() {
        QmpChannel c = control;
        if (c == null) {
            return;
        }
        try {
            if (c.state() == QmpRunState.RUNNING && process.isAlive()) {
                c.execute(QmpCommand.of("quit"), QUIT_WAIT);
            }
        } catch (QmpDisconnectedException e) {
            // QEMU may exit before its reply to quit reaches us
        } catch (QmpException e) {
            LOG.warn("quit failed on QEMU pid {}: {}", pid(), e.getMessage());
        } finally {
            c.close();
        }
    }

    private void emergencyStop() {
        if (process.isAlive()) {
            process.destroy();
            if (!QemuStartup.waitFor(process, Duration.ofSeconds(3))) {
                process.destroyForcibly();
            }
        }
    }

    @Override
    public String toString() {
        return "EmbeddedQemu[pid " + pid() + ", " + config.workDir() + "]";
    }
}
