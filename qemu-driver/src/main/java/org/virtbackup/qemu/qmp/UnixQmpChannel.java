// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtbackup.qemu.json.JsonTrees;

/**
 * The junixsocket transport: one reader thread, a pending map keyed by id, and an explicit run state. The
 * asynchronous core is the pending map of futures; {@link #execute} is a thin blocking adapter over it.
 */
final class UnixQmpChannel implements QmpChannel, QmpReader.Sink {
    private static final Logger LOG = LoggerFactory.getLogger(UnixQmpChannel.class);
    /** Fixed id prefix, so a reply's origin is obvious in traces next to libvirt's "libvirt-N". */
    static final String ID_PREFIX = "vb-";

    private final Path socketPath;
    private final Duration connectTimeout;
    private final Duration commandTimeout;
    /**
     * Shared by every channel of the JVM and started at a random number: a reply QEMU still sends for a client that
     * left (or for another process's command) can never carry the id of a command waiting here.
     */
    private static final AtomicLong IDS = new AtomicLong(ThreadLocalRandom.current().nextLong(1L << 40));
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final QmpEventRouter events = new QmpEventRouter();
    private final Object stateLock = new Object();
    private final Object writeLock = new Object();
    private QmpRunState state = QmpRunState.IDLE;
    private final boolean passesDescriptors;
    private QmpTransport transport;
    private Thread readerThread;
    /** After {@code quit}, the end of the connection is the expected outcome, not a loss worth a warning. */
    private volatile boolean quitSent;
    /** Why the connection ended; set before the state becomes CLOSED, so every failed call can cite it. */
    private volatile Throwable lostCause;

    /** A call waiting for its reply; the future completes with the raw reply or a {@link Lost} signal. */
    private record Pending(QmpCommand command, CompletableFuture<JsonNode> reply) {
    }

    /** Completes a pending future exceptionally when the connection is gone. */
    private static final class Lost extends Exception {
        private static final long serialVersionUID = 1L;

        Lost(Throwable cause) {
            super(cause);
        }
    }

    UnixQmpChannel(Path socketPath, Duration connectTimeout, Duration commandTimeout, boolean passesDescriptors) {
        this.socketPath = socketPath;
        this.connectTimeout = connectTimeout;
        this.commandTimeout = commandTimeout;
        this.passesDescriptors = passesDescriptors;
    }

    @Override
    public QmpGreeting connect() {
        transition(QmpRunState.IDLE, QmpRunState.CONNECTING, "connect");
        try {
            QmpSocketConnector.Connected c = QmpSocketConnector.connect(socketPath, connectTimeout, passesDescriptors);
            QmpGreeting greeting;
            try {
                greeting = parseGreeting(c.greetingLine());
            } catch (RuntimeException e) {
                // the socket is not the channel's yet, so close() would not close it (found by QmpFuzzTest)
                c.transport().close();
                throw e;
            }
            synchronized (stateLock) {
                transport = c.transport();
            }
            readerThread = new Thread(new QmpReader(c.reader(), this), "qmp-reader " + socketPath.getFileName());
            readerThread.setDaemon(true);
            readerThread.start();
            call(QmpCommand.of("qmp_capabilities"), connectTimeout, new FileDescriptor[0]);
            transition(QmpRunState.CONNECTING, QmpRunState.RUNNING, "finish connecting");
            LOG.debug("connected to {}: QEMU {}", socketPath, greeting.version());
            return greeting;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private QmpGreeting parseGreeting(String line) {
        try {
            return QmpGreeting.parse(JsonTrees.parse(line));
        } catch (IOException e) {
            throw new QmpProtocolException("qmp socket '" + socketPath + "' greeted with something that is not "
                    + "JSON: '" + QmpJson.abbreviate(line, 120) + "'; is this a qmp monitor?", e);
        }
    }

    @Override
    public boolean passesDescriptors() {
        return passesDescriptors;
    }

    @Override
    public JsonNode execute(QmpCommand command, Duration timeout, FileDescriptor... fds) {
        requireState(QmpRunState.RUNNING, "execute '" + command.execute() + "'");
        if (fds.length > 0 && !passesDescriptors) {
            throw new IllegalArgumentException("'" + command.execute() + "' passes file descriptors, and this qmp "
                    + "channel was made without descriptor passing (QmpChannel.unixPassingDescriptors has it)");
        }
        return call(command, timeout, fds);
    }

    private JsonNode call(QmpCommand command, Duration timeout, FileDescriptor[] fds) {
        String id = ID_PREFIX + IDS.incrementAndGet();
        Pending p = new Pending(command, new CompletableFuture<>());
        pending.put(id, p);
        ObjectNode wire = command.toJson();
        wire.put("id", id);
        if (command.execute().equals("quit")) {
            quitSent = true;
        }
        try {
            send(wire, fds);
        } catch (IOException e) {
            pending.remove(id);
            connectionLost(e);
            Throwable why = lostCause != null ? lostCause : e; // the reader may have seen the real reason first
            throw new QmpDisconnectedException("cannot send '" + command.execute() + "' to qmp socket '"
                    + socketPath + "': " + why.getMessage(), why);
        }
        if (state() == QmpRunState.CLOSED && pending.remove(id) != null) {
            // the connection dropped after our put, before the drain reached us; nobody will complete us
            throw disconnected(command, lostCause);
        }
        JsonNode reply = awaitReply(id, p, timeout);
        if (reply.has("error")) {
            throw new QmpErrorException(command, reply);
        }
        return reply.get("return");
    }

    private JsonNode awaitReply(String id, Pending p, Duration timeout) {
        try {
            return p.reply().get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            pending.remove(id);
            throw new QmpTimeoutException("no reply to qemu command '" + p.command().execute() + "' (id " + id
                    + ") within " + timeout.toMillis() + " ms; QEMU may be stuck, or give the call a longer timeout");
        } catch (InterruptedException e) {
            pending.remove(id);
            Thread.currentThread().interrupt();
            throw new QmpInterruptedException("interrupted while waiting for the reply to '"
                    + p.command().execute() + "'", e);
        } catch (ExecutionException e) {
            throw disconnected(p.command(), e.getCause().getCause());
        }
    }

    private QmpDisconnectedException disconnected(QmpCommand command, Throwable cause) {
        return new QmpDisconnectedException("qmp connection to '" + socketPath + "' lost while waiting for the "
                + "reply to '" + command.execute() + "'" + (cause == null ? "" : ": " + cause.getMessage()), cause);
    }

    private void send(ObjectNode wire, FileDescriptor[] fds) throws IOException {
        byte[] line = QmpJson.encodeLine(wire);
        synchronized (writeLock) {
            QmpTransport t;
            synchronized (stateLock) {
                t = transport;
            }
            if (t == null) {
                throw new IOException("socket closed");
            }
            t.write(line, fds);
        }
        LOG.trace("sent {}", wire);
    }

    @Override
    public QmpEventListener listen(Set<String> eventNames, Predicate<? super JsonNode> dataFilter) {
        QmpRunState s = state();
        if (s == QmpRunState.CLOSED) {
            throw new QmpStateException("listen for events", s, QmpRunState.RUNNING);
        }
        return events.open(eventNames, dataFilter);
    }

    @Override
    public QmpRunState state() {
        synchronized (stateLock) {
            return state;
        }
    }

    @Override
    public Duration commandTimeout() {
        return commandTimeout;
    }

    private void requireState(QmpRunState required, String operation) {
        QmpRunState s = state();
        if (s != required) {
            throw new QmpStateException(operation, s, required);
        }
    }

    private void transition(QmpRunState from, QmpRunState to, String operation) {
        synchronized (stateLock) {
            if (state != from) {
                throw new QmpStateException(operation, state, from);
            }
            state = to;
        }
    }

    @Override
    public void close() {
        boolean open;
        synchronized (stateLock) {
            open = state != QmpRunState.CLOSED && state != QmpRunState.CLOSING;
            if (open) {
                state = QmpRunState.CLOSING;
            }
        }
        if (open) {
            connectionLost(new QmpDisconnectedException("qmp channel closed by the client", null));
        }
        // also when the reader itself found the connection lost: close() returns once the reader thread is gone
        // (found by QmpFuzzTest)
        Thread t = readerThread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- QmpReader.Sink: called on the reader thread, in wire order

    @Override
    public void reply(String id, JsonNode message) {
        Pending p = pending.remove(id);
        if (p == null) {
            LOG.warn("dropping a qmp reply with unknown id '{}' from '{}' (a call that timed out?): {}",
                    QmpJson.abbreviate(id, 40),
                    socketPath, QmpJson.abbreviate(message.toString(), 200));
            return;
        }
        p.reply().complete(message);
    }

    @Override
    public void event(QmpEvent event) {
        events.dispatch(event);
    }

    @Override
    public void connectionLost(Throwable cause) {
        QmpTransport t;
        boolean expected;
        synchronized (stateLock) {
            if (state == QmpRunState.CLOSED) {
                return;
            }
            expected = state == QmpRunState.CLOSING;
            lostCause = cause;
            state = QmpRunState.CLOSED;
            t = transport;
            transport = null;
        }
        if (expected || quitSent) {
            LOG.debug("qmp channel to '{}' closed: {}", socketPath, cause.getMessage());
        } else {
            LOG.warn("qmp connection to '{}' lost: {}", socketPath, cause.getMessage());
        }
        QmpSocketConnector.closeQuietly(t);
        for (String id : pending.keySet()) {
            Pending p = pending.remove(id);
            if (p != null) {
                p.reply().completeExceptionally(new Lost(cause));
            }
        }
        events.disconnected(cause);
    }

    @Override
    public String toString() {
        return "QmpChannel[" + socketPath + ", " + state() + "]";
    }
}
