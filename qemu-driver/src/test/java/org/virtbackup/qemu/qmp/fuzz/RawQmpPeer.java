// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp.fuzz;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * A scripted peer on a unix socket, for what {@code FakeQmpServer} cannot send: a malformed greeting, bytes
 * that are not UTF-8, silence. It serves one client: runs the script, then waits for the client to hang up and
 * records whether it did ({@link #clientHungUp()}); a client that fails but keeps its socket open leaks it.
 */
final class RawQmpPeer implements AutoCloseable {
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]*)\"");

    /** One step: send bytes ({@code ${id}} replaced by the id of the last command read), read a line, or hang up. */
    record Step(String kind, byte[] bytes) {
        static Step send(String text) {
            return new Step("send", text.getBytes(StandardCharsets.UTF_8));
        }

        static Step sendBytes(byte[] bytes) {
            return new Step("bytes", bytes);
        }

        static Step readCommand() {
            return new Step("read", new byte[0]);
        }

        static Step hangUp() {
            return new Step("hangup", new byte[0]);
        }
    }

    private final Path path;
    private final AFUNIXServerSocket server;
    private final Thread thread;
    private final List<Step> script;
    private volatile boolean hungUp;
    private volatile boolean clientHungUp;

    RawQmpPeer(Path path, List<Step> script) throws IOException {
        this.path = path;
        this.script = script;
        this.server = AFUNIXServerSocket.bindOn(AFUNIXSocketAddress.of(path), true);
        this.thread = new Thread(this::serve, "raw-qmp-peer " + path.getFileName());
        thread.setDaemon(true);
        thread.start();
    }

    private void serve() {
        try (AFUNIXSocket c = server.accept()) {
            c.setSoTimeout(3000);
            InputStream in = c.getInputStream();
            OutputStream out = c.getOutputStream();
            String id = "";
            for (Step s : script) {
                switch (s.kind()) {
                    case "send" -> write(out, new String(s.bytes(), StandardCharsets.UTF_8).replace(QmpLines.ID, id)
                            .getBytes(StandardCharsets.UTF_8));
                    case "bytes" -> write(out, s.bytes());
                    case "read" -> {
                        String line = readLine(in);
                        Matcher m = ID.matcher(line == null ? "" : line);
                        id = m.find() ? m.group(1) : "";
                    }
                    default -> {
                        hungUp = true;
                        return;
                    }
                }
            }
            clientHungUp = drainUntilEof(in);
        } catch (IOException e) {
            clientHungUp = true; // the client reset the connection
        }
    }

    private static void write(OutputStream out, byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            b.append((char) c);
        }
        return c == -1 && b.length() == 0 ? null : b.toString();
    }

    private static boolean drainUntilEof(InputStream in) throws IOException {
        try {
            while (in.read() != -1) {
                // what the client still sends does not matter here
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** Whether the client closed its end (or the script hung up first); waits for the peer to finish. */
    boolean clientHungUp() throws InterruptedException {
        thread.join(10_000);
        return hungUp || clientHungUp;
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(path);
    }
}
