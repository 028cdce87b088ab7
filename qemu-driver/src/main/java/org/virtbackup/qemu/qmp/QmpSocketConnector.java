// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtbackup.qemu.json.JsonTrees;

/**
 * Opens a QMP unix socket and reads the greeting, turning each way this can fail into a message that says
 * what to do. Kept apart from the channel because the "busy" diagnosis is subtle: QEMU's monitor serves one
 * client at a time, and while it does, a second client's {@code connect} still succeeds (the kernel queues
 * it) but no greeting comes until the first client leaves (checked on QEMU 7.2.22).
 */
final class QmpSocketConnector {
    private static final Logger LOG = LoggerFactory.getLogger(QmpSocketConnector.class);
    /** More lines than this before the greeting are no leftovers of a previous client but a peer that is not QMP. */
    private static final int MAX_LEFTOVERS = 64;

    private QmpSocketConnector() {
    }

    /** A connected socket, its line reader and the greeting line. */
    record Connected(QmpTransport transport, BufferedReader reader, String greetingLine) {
    }

    /**
     * Connects and reads the greeting, all within {@code timeout}: at the deadline the socket is closed, which
     * ends a read that waits (a blocking read of either transport has no timeout of its own).
     */
    static Connected connect(Path path, Duration timeout, boolean passesDescriptors) {
        if (!Files.exists(path)) {
            throw new QmpConnectException("qmp socket '" + path + "' does not exist; start QEMU with "
                    + "'-qmp unix:" + path + ",server=on,wait=off' or check the path", false, null);
        }
        QmpTransport transport = null;
        Deadline deadline = null;
        try {
            transport = QmpTransport.connect(path, passesDescriptors);
            deadline = new Deadline(transport, timeout);
            BufferedReader reader = new BufferedReader(new InputStreamReader(transport.input(), StandardCharsets.UTF_8));
            String line = reader.readLine();
            for (int skipped = 0; line != null && isLeftover(line) && skipped < MAX_LEFTOVERS; skipped++) {
                // QEMU 7.2 gives a new client the events (and replies) emitted between its accept and its greeting:
                // the monitor still has the previous client's negotiated state then. Measured: 7 of 3,000
                // connects while another monitor's stop/cont emitted events; a running backup job's
                // JOB_STATUS_CHANGE does the same. They belong to the previous client.
                LOG.debug("qmp socket '{}': skipping a line meant for the previous client: {}", path,
                        QmpJson.abbreviate(line, 200));
                line = reader.readLine();
            }
            if (!deadline.disarm()) {
                throw new IOException("closed at the deadline");
            }
            if (line == null) {
                throw new QmpConnectException("qmp socket '" + path + "' closed the connection before the greeting; "
                        + "QEMU may be shutting down", false, null);
            }
            return new Connected(transport, reader, line);
        } catch (IOException e) {
            closeQuietly(transport);
            if (deadline != null && deadline.fired()) {
                throw busy(path, timeout, e);
            }
            if (e instanceof ConnectException) {
                throw new QmpConnectException("qmp socket '" + path + "' refused the connection: no QEMU listens "
                        + "on it (a stale socket of an exited QEMU?)", false, e);
            }
            throw new QmpConnectException("cannot connect to qmp socket '" + path + "': " + e.getMessage(), false, e);
        } catch (RuntimeException e) {
            if (deadline != null) {
                deadline.disarm();
            }
            closeQuietly(transport);
            throw e;
        }
    }

    /** Closes a transport at a deadline, unless disarmed first. */
    private static final class Deadline {
        private final AtomicBoolean armed = new AtomicBoolean(true);
        private volatile boolean fired;

        Deadline(QmpTransport transport, Duration timeout) {
            CompletableFuture.delayedExecutor(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS).execute(() -> {
                if (armed.compareAndSet(true, false)) {
                    fired = true;
                    transport.close();
                }
            });
        }

        /** @return whether it was disarmed before it fired */
        boolean disarm() {
            return armed.compareAndSet(true, false);
        }

        boolean fired() {
            return fired;
        }
    }

    /** A QMP event, reply or error (no greeting): output of the monitor that the previous client did not read. */
    private static boolean isLeftover(String line) {
        try {
            JsonNode n = JsonTrees.parse(line);
            return n.isObject() && !n.has("QMP") && (n.has("event") || n.has("return") || n.has("error"));
        } catch (IOException | RuntimeException e) {
            return false; // not JSON: reported as a bad greeting
        }
    }

    private static QmpConnectException busy(Path path, Duration timeout, Throwable cause) {
        return new QmpConnectException("qmp socket '" + path + "' sent no greeting within " + timeout.toMillis()
                + " ms: the monitor serves one client at a time and another client is probably connected; "
                + "close that client, or give virtbackup its own monitor with a second "
                + "'-qmp unix:<path>,server=on,wait=off' option", true, cause);
    }

    static void closeQuietly(QmpTransport transport) {
        if (transport != null) {
            transport.close();
        }
    }
}
