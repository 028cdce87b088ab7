// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * A unix-socket proxy in front of a real QEMU's QMP socket that cuts the connection at a chosen command: the
 * way a QMP socket is lost under a running operation (a crashed management proxy, a restarted socket
 * activation unit). Clients connect to {@link #socket()}; each gets its own connection to QEMU; commands are
 * counted across clients by name. At the {@code occurrence}-th {@code command}:
 * <ul>
 *   <li>{@link Cut#BEFORE}: the command never reaches QEMU, both connections are closed;</li>
 *   <li>{@link Cut#AFTER}: QEMU receives and runs it, the proxy waits for QEMU's reply to that command and
 *       closes both connections instead of passing it on: the client cannot know the command ran.</li>
 * </ul>
 * Later clients are served normally.
 */
public final class QmpCutProxy implements AutoCloseable {

    /** Whether QEMU gets the command at which the connection is cut. */
    public enum Cut {
        BEFORE, AFTER
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AFUNIXServerSocket server;
    private final Path socket;
    private final Path upstream;
    private final String command;
    private final int occurrence;
    private final Cut cut;
    private final AtomicInteger seen = new AtomicInteger();
    private final CountDownLatch done = new CountDownLatch(1);
    private final List<AFUNIXSocket> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private QmpCutProxy(Path socket, Path upstream, String command, int occurrence, Cut cut) throws IOException {
        this.socket = socket;
        this.upstream = upstream;
        this.command = command;
        this.occurrence = occurrence;
        this.cut = cut;
        this.server = AFUNIXServerSocket.newInstance();
        server.bind(AFUNIXSocketAddress.of(socket.toFile()));
        this.acceptor = new Thread(this::acceptLoop, "qmp-cut-proxy " + socket.getFileName());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Listens on {@code socket}, forwarding to QEMU's {@code upstream} QMP socket. */
    public static QmpCutProxy start(Path socket, Path upstream, String command, int occurrence, Cut cut) {
        try {
            return new QmpCutProxy(socket, upstream, command, occurrence, cut);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The socket clients connect to. */
    public Path socket() {
        return socket;
    }

    /** How many times the command went through (or was cut) so far. */
    public int seen() {
        return seen.get();
    }

    /** Whether the connection has been cut. */
    public boolean hasCut() {
        return done.getCount() == 0;
    }

    /** Waits until the cut happened, or fails after {@code seconds}. */
    public void awaitCut(long seconds) throws InterruptedException {
        if (!done.await(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("no '" + command + "' #" + occurrence + " went through the proxy");
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                AFUNIXSocket client = (AFUNIXSocket) server.accept();
                AFUNIXSocket qemu = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(upstream.toFile()));
                open.add(client);
                open.add(qemu);
                start("qmp-cut-proxy up", () -> pump(client, qemu, true));
                start("qmp-cut-proxy down", () -> pump(qemu, client, false));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    /**
     * Copies lines from {@code from} to {@code to}. Client to QEMU: watches for the command to cut at; QEMU to
     * client: swallows the reply to it and cuts.
     */
    private void pump(AFUNIXSocket from, AFUNIXSocket to, boolean fromClient) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(from.getInputStream(), StandardCharsets.UTF_8))) {
            OutputStream out = to.getOutputStream();
            String line;
            while ((line = in.readLine()) != null) {
                if (fromClient && !hasCut() && isTheCommand(line) && seen.incrementAndGet() == occurrence) {
                    if (cut == Cut.BEFORE) {
                        cutNow(from, to);
                        return;
                    }
                    cutReplyId = id(line);
                }
                if (!fromClient && cutReplyId != null && cutReplyId.equals(id(line))) {
                    cutNow(from, to);
                    return;
                }
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // one side went away: close the other below
        }
        closeQuietly(from, to);
    }

    /** The id of the command cut {@link Cut#AFTER}, whose reply QEMU sends but the client never gets. */
    private volatile String cutReplyId;

    /** Counts the cut first: the client learns of it from the closed socket and may ask {@link #hasCut()} at once. */
    private void cutNow(AFUNIXSocket a, AFUNIXSocket b) {
        cutReplyId = null;
        done.countDown();
        closeQuietly(a, b);
    }

    private boolean isTheCommand(String line) {
        try {
            return command.equals(JSON.readTree(line).path("execute").asText());
        } catch (IOException e) {
            return false;
        }
    }

    private static String id(String line) {
        try {
            JsonNode id = JSON.readTree(line).get("id");
            return id == null ? null : id.toString();
        } catch (IOException e) {
            return null;
        }
    }

    private static void closeQuietly(AFUNIXSocket... sockets) {
        for (AFUNIXSocket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (AFUNIXSocket s : open) {
            closeQuietly(s);
        }
        try {
            acceptor.join(5_000);
            Files.deleteIfExists(socket);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
