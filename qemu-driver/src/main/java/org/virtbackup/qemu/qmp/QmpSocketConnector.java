// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * Opens a QMP unix socket and reads the greeting, turning each way this can fail into a message that says
 * what to do. Kept apart from the channel because the "busy" diagnosis is subtle: QEMU's monitor serves one
 * client at a time, and while it does, a second client's {@code connect} still succeeds (the kernel queues
 * it) but no greeting comes until the first client leaves (checked on QEMU 7.2.22).
 */
final class QmpSocketConnector {
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
            String line = reader.readLine();
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
