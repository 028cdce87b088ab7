// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A QMP server on a real unix socket, for the unit tests of protocol faults (after OkHttp's
 * {@code MockWebServer}). Like QEMU it greets, insists on {@code qmp_capabilities} first, ends lines with CRLF,
 * answers a line it cannot parse with an error without id, and serves one client at a time: a second client's
 * connect succeeds but gets no greeting until the first leaves.
 *
 * <pre>{@code
 * try (FakeQmpServer server = FakeQmpServer.start(dir.resolve("qmp.sock"), Dispatchers.qemuLike())) {
 *     server.failNext("query-status", FaultPolicy.NO_REPLY);
 *     ...
 * }
 * }</pre>
 */
public final class FakeQmpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FakeQmpServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GREETING = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, "
            + "\"major\": 7}, \"package\": \"fake\"}, \"capabilities\": [\"oob\"]}}";

    /** Maps a command to what the server sends back. */
    @FunctionalInterface
    public interface Dispatcher {
        QmpResponse dispatch(String command, ObjectNode arguments);
    }

    private final Path socket;
    private final AFUNIXServerSocket server;
    private final Dispatcher dispatcher;
    private final Map<String, FaultPolicy> faults = new ConcurrentHashMap<>();
    private final List<ObjectNode> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final Object writeLock = new Object();
    private volatile AFUNIXSocket client;
    private volatile boolean closed;
    private final Thread thread;

    private FakeQmpServer(Path socket, Dispatcher dispatcher) throws IOException {
        this.socket = socket;
        this.dispatcher = dispatcher;
        this.server = AFUNIXServerSocket.bindOn(AFUNIXSocketAddress.of(socket), true);
        this.thread = new Thread(this::acceptLoop, "fake-qmp " + socket.getFileName());
        thread.setDaemon(true);
        thread.start();
    }

    /** Binds {@code socket} and starts serving. */
    public static FakeQmpServer start(Path socket, Dispatcher dispatcher) {
        try {
            return new FakeQmpServer(socket, dispatcher);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind fake qmp server on '" + socket + "'", e);
        }
    }

    /** The socket path. */
    public Path socket() {
        return socket;
    }

    /** Applies {@code policy} to the next command named {@code command} ({@code "*"}: the next command). */
    public void failNext(String command, FaultPolicy policy) {
        faults.put(command, policy);
    }

    /** Every command received (with its id), across connections. */
    public List<ObjectNode> received() {
        return List.copyOf(received);
    }

    /** The names of the commands received, in order. */
    public List<String> receivedCommands() {
        return received.stream().map(m -> m.path("execute").asText()).toList();
    }

    /** How many clients were accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** Sends an event to the connected client now. */
    public void emit(String name, ObjectNode data) {
        send(QmpResponse.event(name, data));
    }

    /** Sends {@code line} verbatim (CRLF appended), e.g. a reply with an id nobody waits for. */
    public void sendRaw(String line) {
        writeLine(line);
    }

    /** Drops the connected client, as a crashing QEMU would. */
    public void disconnectClient() {
        AFUNIXSocket c = client;
        if (c != null) {
            closeQuietly(c);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try (AFUNIXSocket c = server.accept()) {
                client = c;
                connections.incrementAndGet();
                serve(c);
            } catch (IOException e) {
                if (!closed) {
                    LOG.debug("fake qmp client gone: {}", e.getMessage());
                }
            } finally {
                client = null;
            }
        }
    }

    private void serve(AFUNIXSocket c) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
        writeLine(GREETING);
        boolean negotiated = false;
        String line;
        while ((line = in.readLine()) != null) {
            ObjectNode msg;
            try {
                msg = (ObjectNode) JSON.readTree(line);
            } catch (IOException | ClassCastException e) {
                send(QmpResponse.error("GenericError", "JSON parse error").reply()); // QEMU sends no id here
                continue;
            }
            received.add(msg);
            String name = msg.path("execute").asText();
            QmpResponse response;
            if (name.equals("qmp_capabilities")) {
                response = negotiated ? QmpResponse.error("CommandNotFound",
                        "Capabilities negotiation is already complete, command ignored") : QmpResponse.ok();
                negotiated = true;
            } else if (!negotiated) {
                response = QmpResponse.error("CommandNotFound",
                        "Expecting capabilities negotiation with 'qmp_capabilities'");
            } else {
                FaultPolicy fault = takeFault(name);
                if (fault != null && !applyFault(fault, name, msg, c)) {
                    return;
                }
                if (fault == FaultPolicy.NO_REPLY || fault == FaultPolicy.ERROR_WITHOUT_ID) {
                    continue;
                }
                response = dispatcher.dispatch(name, msg.has("arguments")
                        ? (ObjectNode) msg.get("arguments") : JSON.createObjectNode());
            }
            if (!respond(response, msg.get("id"))) {
                return;
            }
        }
    }

    private FaultPolicy takeFault(String name) {
        FaultPolicy f = faults.remove(name);
        return f != null ? f : faults.remove("*");
    }

    /** Returns false when the connection was dropped. */
    private boolean applyFault(FaultPolicy fault, String name, ObjectNode msg, AFUNIXSocket c) {
        switch (fault) {
            case DISCONNECT_AFTER_COMMAND -> {
                closeQuietly(c);
                return false;
            }
            case NO_REPLY -> LOG.debug("fake qmp: not replying to {}", msg);
            case ERROR_WITHOUT_ID -> send(QmpResponse.error("GenericError", "JSON parse error, fault injected").reply());
            case EVENT_BEFORE_RETURN -> send(QmpResponse.event("FAKE_EVENT", JSON.createObjectNode().put("command", name)));
            case GARBAGE_LINE -> writeLine("this line is not json }{");
            default -> throw new IllegalStateException("unknown fault " + fault);
        }
        return true;
    }

    /** Returns false when the response hung up. */
    private boolean respond(QmpResponse response, JsonNode id) {
        response.eventsBefore().forEach(this::send);
        ObjectNode reply = response.reply().deepCopy();
        if (id != null) {
            reply.set("id", id);
        }
        send(reply);
        response.eventsAfter().forEach(this::send);
        if (response.hangUp()) {
            disconnectClient();
            return false;
        }
        return true;
    }

    private void send(JsonNode message) {
        writeLine(message.toString());
    }

    private void writeLine(String line) {
        AFUNIXSocket c = client;
        if (c == null) {
            throw new IllegalStateException("no qmp client is connected to the fake server");
        }
        synchronized (writeLock) {
            try {
                OutputStream out = c.getOutputStream();
                out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                LOG.debug("fake qmp: write failed: {}", e.getMessage());
            }
        }
    }

    private static void closeQuietly(AFUNIXSocket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // the peer is gone either way
        }
    }

    /** Stops serving, drops the client and removes the socket file. */
    @Override
    public void close() {
        closed = true;
        disconnectClient();
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("fake qmp: close failed: {}", e.getMessage());
        }
        try {
            thread.join(5000);
            java.nio.file.Files.deleteIfExists(socket);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.debug("fake qmp: cannot delete socket: {}", e.getMessage());
        }
    }

    /** For messages. */
    @Override
    public String toString() {
        return "FakeQmpServer[" + socket + ", " + new ArrayList<>(receivedCommands()) + "]";
    }
}
