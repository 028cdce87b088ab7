// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    record Connected(AFUNIXSocket socket, BufferedReader reader, String greetingLine) {
    }

    static Connected connect(Path path, Duration timeout) {
        if (!Files.exists(path)) {
            throw new QmpConnectException("qmp socket '" + path + "' does not exist; start QEMU with "
                    + "'-qmp unix:" + path + ",server=on,wait=off' or check the path", false, null);
        }
        AFUNIXSocket socket = null;
        try {
            socket = AFUNIXSocket.newInstance();
            int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            socket.connect(AFUNIXSocketAddress.of(path), millis);
            socket.setSoTimeout(millis);
            BufferedReader reader = new BufferedReader(
                    new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + timeout.toNanos();
            String line = reader.readLine();
            for (int skipped = 0; line != null && isLeftover(line) && skipped < MAX_LEFTOVERS; skipped++) {
                // QEMU 7.2 gives a new client the events (and replies) emitted between its accept and its greeting:
                // the monitor still has the previous client's negotiated state then. Measured: 7 of 3,000
                // connects while another monitor's stop/cont emitted events; a running backup job's
                // JOB_STATUS_CHANGE does the same. They belong to the previous client.
                LOG.debug("qmp socket '{}': skipping a line meant for the previous client: {}", path,
                        QmpJson.abbreviate(line, 200));
                socket.setSoTimeout(remainingMillis(deadline));
                line = reader.readLine();
            }
            if (line == null) {
                throw new QmpConnectException("qmp socket '" + path + "' closed the connection before the greeting; "
                        + "QEMU may be shutting down", false, null);
            }
            socket.setSoTimeout(0);
            return new Connected(socket, reader, line);
        } catch (SocketTimeoutException e) {
            closeQuietly(socket);
            throw busy(path, timeout, e);
        } catch (ConnectException e) {
            closeQuietly(socket);
            throw new QmpConnectException("qmp socket '" + path + "' refused the connection: no QEMU listens on it "
                    + "(a stale socket of an exited QEMU?)", false, e);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new QmpConnectException("cannot connect to qmp socket '" + path + "': " + e.getMessage(), false, e);
        } catch (RuntimeException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    /** A QMP event, reply or error (no greeting): output of the monitor that the previous client did not read. */
    private static boolean isLeftover(String line) {
        try {
            JsonNode n = QmpJson.parse(line);
            return n.isObject() && !n.has("QMP") && (n.has("event") || n.has("return") || n.has("error"));
        } catch (IOException | RuntimeException e) {
            return false; // not JSON: reported as a bad greeting
        }
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long ms = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (ms <= 0) {
            throw new SocketTimeoutException("no greeting after the previous client's output");
        }
        return (int) Math.min(Integer.MAX_VALUE, ms);
    }

    private static QmpConnectException busy(Path path, Duration timeout, Throwable cause) {
        return new QmpConnectException("qmp socket '" + path + "' sent no greeting within " + timeout.toMillis()
                + " ms: the monitor serves one client at a time and another client is probably connected; "
                + "close that client, or give virtbackup its own monitor with a second "
                + "'-qmp unix:<path>,server=on,wait=off' option", true, cause);
    }

    static void closeQuietly(AFUNIXSocket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing left to do with a socket we are abandoning
            }
        }
    }
}
