// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpConnectException;

/** Process plumbing for {@link EmbeddedQemu}: readiness, waiting, log tails, cleanup. */
final class QemuStartup {
    private static final Logger LOG = LoggerFactory.getLogger(QemuStartup.class);
    private static final long POLL_MILLIS = 20;

    private QemuStartup() {
    }

    /**
     * Connects the launcher's own monitor, retrying until QEMU has created and listens on it. QEMU creates its
     * {@code server=on,wait=off} sockets during startup and serves them once its main loop runs, so a
     * negotiated monitor means both sockets accept.
     */
    static QmpChannel awaitMonitor(Process p, QemuLaunchConfig config) {
        long deadline = System.nanoTime() + config.startTimeout().toNanos();
        QmpConnectException last = null;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new QemuProcessException("QEMU exited with " + p.exitValue() + " during startup; end of '"
                        + config.logFile() + "':\n" + logTail(config.logFile()));
            }
            if (Files.exists(config.controlSocket())) {
                QmpChannel ch = QmpChannel.unix(config.controlSocket(), Duration.ofSeconds(5),
                        QmpChannel.DEFAULT_COMMAND_TIMEOUT);
                try {
                    ch.connect();
                    return ch;
                } catch (QmpConnectException e) {
                    last = e; // created but not yet listening
                }
            }
            sleep();
        }
        throw new QemuProcessException("QEMU pid " + p.pid() + " did not open its monitor within "
                + config.startTimeout().toSeconds() + " s; end of '" + config.logFile() + "':\n"
                + logTail(config.logFile()), last);
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QemuProcessException("interrupted while waiting for QEMU to start", e);
        }
    }

    /** Waits for {@code p} to exit; true when it did. */
    static boolean waitFor(Process p, Duration timeout) {
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    /** The last lines of QEMU's log, for error messages. */
    static String logTail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    static void deleteWorkDir(QemuLaunchConfig config) {
        try {
            for (Path f : List.of(config.qmpSocket(), config.controlSocket(), config.logFile())) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(config.workDir());
        } catch (IOException e) {
            LOG.warn("cannot delete work directory '{}': {}", config.workDir(), e.getMessage());
        }
    }
}
