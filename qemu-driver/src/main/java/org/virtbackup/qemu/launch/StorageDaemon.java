// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.launch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtbackup.qemu.qmp.QemuErrors;

/**
 * A {@code qemu-storage-daemon} serving a stopped VM's disk images over QMP, for offline backups (SPEC §12).
 *
 * <p>It is started with {@code --daemonize}: the command returns once the daemon's images are open and its
 * monitor listens (or with the error that stopped it), and the daemon is no child of this process, so it
 * outlives it, as a push job must. It is found again by PID ({@link #find}), and only a process whose command
 * line is {@code qemu-storage-daemon} with this socket counts as it, so a reused PID is never signalled.
 *
 * <p>Disks get the nodes {@link EmbeddedQemu} gives them ({@code <id>-storage}, {@code <id>-format}), so that
 * checkpoints made online and offline name the same nodes. Unlike the launcher's, the format node opens the
 * image's backing chain from its header, as the VM's QEMU would under libvirt.
 */
public final class StorageDaemon {
    private static final Logger LOG = LoggerFactory.getLogger(StorageDaemon.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The program, from Debian's {@code qemu-system-common}. */
    public static final String BINARY = "qemu-storage-daemon";
    private static final Duration TERM_WAIT = Duration.ofSeconds(10);

    private final long pid;
    private final Path socket;

    private StorageDaemon(long pid, Path socket) {
        this.pid = pid;
        this.socket = socket;
    }

    /** The daemon's files in its run directory. */
    public record RunFiles(Path socket, Path pidFile, Path log) {
        /** {@code qmp.sock}, {@code qsd.pid}, {@code qsd.log} in {@code runDir}. */
        public static RunFiles in(Path runDir) {
            return new RunFiles(runDir.resolve("qmp.sock"), runDir.resolve("qsd.pid"), runDir.resolve("qsd.log"));
        }
    }

    /**
     * Starts a daemon on {@code disks} with its QMP monitor on {@code files.socket()}, and waits until it serves.
     *
     * @throws ImageLockedException when another process (the VM's QEMU) holds an image's lock
     * @throws QemuProcessException when the daemon cannot start for another reason, with its messages
     */
    public static StorageDaemon start(List<QemuDisk> disks, RunFiles files, Duration timeout) {
        List<String> argv = commandLine(BINARY, disks, files);
        long logStart = size(files.log());
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(files.log().toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new QemuProcessException("cannot start '" + BINARY + "': " + e.getMessage()
                    + "; install it with 'apt-get install qemu-system-common'", e);
        }
        boolean exited = QemuStartup.waitFor(p, timeout);
        if (!exited) {
            p.destroyForcibly();
            QemuStartup.waitFor(p, TERM_WAIT);
            readPid(files.pidFile()).flatMap(pid -> find(pid, files.socket())).ifPresent(StorageDaemon::terminate);
            throw new QemuProcessException(BINARY + " did not start within " + timeout.toSeconds() + " s; see '"
                    + files.log() + "'");
        }
        String output = logSince(files.log(), logStart);
        if (p.exitValue() != 0) {
            if (QemuErrors.isImageLocked(output)) {
                throw new ImageLockedException(output.strip());
            }
            throw new QemuProcessException(BINARY + " exited with " + p.exitValue() + ": " + output.strip());
        }
        long pid = readPid(files.pidFile()).orElseThrow(() -> new QemuProcessException(BINARY
                + " started but wrote no pid file '" + files.pidFile() + "'"));
        LOG.info("started {} pid {}: {}", BINARY, pid, String.join(" ", argv));
        return new StorageDaemon(pid, files.socket());
    }

    /** The argument list; pure. */
    static List<String> commandLine(String binary, List<QemuDisk> disks, RunFiles files) {
        List<String> argv = new ArrayList<>(List.of(binary));
        for (QemuDisk d : disks) {
            argv.addAll(List.of("--blockdev", QemuCommandLine.storageNode(d).toString(), "--blockdev",
                    formatNode(d).toString()));
        }
        // QEMU's option syntax: a comma in a value is written twice
        argv.addAll(List.of("--chardev", "socket,id=vb-monitor,path=" + files.socket().toString().replace(",", ",,")
                + ",server=on,wait=off", "--monitor", "chardev=vb-monitor", "--pidfile", files.pidFile().toString(),
                "--daemonize"));
        return List.copyOf(argv);
    }

    private static ObjectNode formatNode(QemuDisk d) {
        ObjectNode n = JSON.createObjectNode();
        n.put("driver", d.format().driver()).put("node-name", d.formatNode()).put("file", d.storageNode())
                .put("read-only", d.readOnly()).put("discard", "unmap");
        return n;
    }

    /**
     * The daemon with this PID, if that process runs and is a {@code qemu-storage-daemon} serving
     * {@code socket}.
     */
    public static Optional<StorageDaemon> find(long pid, Path socket) {
        if (!running(pid)) {
            return Optional.empty();
        }
        List<String> cmdline = commandLineOf(pid);
        boolean ours = !cmdline.isEmpty() && Path.of(cmdline.get(0)).getFileName().toString().equals(BINARY)
                && cmdline.stream().anyMatch(a -> a.contains("path=" + socket.toString().replace(",", ",,") + ","));
        return ours ? Optional.of(new StorageDaemon(pid, socket)) : Optional.empty();
    }

    private static List<String> commandLineOf(long pid) {
        try {
            String raw = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8);
            return raw.isEmpty() ? List.of() : List.of(raw.split("\0"));
        } catch (IOException e) {
            return List.of(); // gone meanwhile
        }
    }

    public long pid() {
        return pid;
    }

    public Path socket() {
        return socket;
    }

    public boolean isAlive() {
        return running(pid);
    }

    /**
     * Whether process {@code pid} runs. An exited daemon stays a zombie until its parent reaps it, and its
     * parent is init ({@code --daemonize}): under an init that reaps late (a container's, this project's test
     * machines' took 1 to 2 s) {@link ProcessHandle#isAlive} and {@code onExit} count the zombie as alive, so
     * each offline operation would wait for the reaper. The state in {@code /proc/PID/stat} tells.
     */
    public static boolean running(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return false; // reaped
        }
        // "pid (comm) S ...": comm may hold spaces and parentheses, the state follows the last ')'
        int end = stat.lastIndexOf(')');
        char state = end >= 0 && end + 2 < stat.length() ? stat.charAt(end + 2) : '?';
        return state != 'Z' && state != 'X';
    }

    /** Waits until the daemon exited (a zombie has); true when it did within {@code timeout}. */
    public boolean awaitExit(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long sleep = 1;
        while (running(pid)) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !running(pid);
            }
            sleep = Math.min(sleep * 2, 50);
        }
        return true;
    }

    /**
     * Stops the daemon by PID: SIGTERM, which it handles as {@code quit} (its images are closed and persistent
     * bitmaps written), then SIGKILL after {@link #TERM_WAIT}. The caller prefers QMP {@code quit} when it
     * holds the monitor.
     */
    public void terminate() {
        Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(x -> running(pid));
        if (h.isEmpty()) {
            return;
        }
        h.get().destroy();
        if (!awaitExit(TERM_WAIT)) {
            LOG.warn("{} pid {} ignored SIGTERM; sending SIGKILL (its persistent bitmaps stay in-use)", BINARY, pid);
            h.get().destroyForcibly();
            awaitExit(TERM_WAIT);
        }
    }

    private static Optional<Long> readPid(Path pidFile) {
        try {
            return Optional.of(Long.parseLong(Files.readString(pidFile).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static String logSince(Path log, long offset) {
        try {
            byte[] all = Files.readAllBytes(log);
            int from = (int) Math.min(offset, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log '" + log + "' unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public String toString() {
        return "StorageDaemon[pid " + pid + ", " + socket + "]";
    }
}
