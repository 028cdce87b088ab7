// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpConnectException;
import org.virtbackup.qemu.qmp.QmpDisconnectedException;
import org.virtbackup.qemu.qmp.QmpException;
import org.virtbackup.qemu.qmp.QmpGreeting;
import org.virtbackup.qemu.qmp.QmpInterruptedException;
import org.virtbackup.qemu.qmp.QmpRunState;
import org.virtbackup.qemu.qmp.QmpStateException;

/**
 * The lease one connection has on QEMU's QMP socket (SPEC §2: a QMP socket serves one client at a time). An
 * operation ({@link #begin()}) connects on its first use of {@link #channel()} and lets go of the socket when
 * the last open operation ends; with {@link Hold#CONNECTION} the socket stays connected until {@link #close()}.
 * It is not a {@link QmpChannel}: the channel, with the wire's own rules, is {@link #channel()}, valid for the
 * operation that got it. Its {@link QmpEndpoint} is told before each connection and before the session lets go
 * of the socket: a stopped domain's {@code qemu-storage-daemon} is started and stopped there.
 *
 * <p>QEMU 7.2's monitor ({@code -qmp unix:...,server=on,wait=off}) accepts one client; while it serves one,
 * the kernel queues two more connections (listen backlog 1) whose {@code connect} succeeds at once but whose
 * greeting comes only when the first client leaves, in arrival order, within a millisecond; a fourth
 * {@code connect} blocks in the kernel. So waiting for the greeting is waiting in line, and the wait (connect
 * and greeting) is bounded by {@code busyWait}, after which the socket is reported busy.
 */
final class QmpSession implements AutoCloseable {

    /** How long a connection holds the QMP socket (driver option {@code qmpHold}). */
    enum Hold {
        /** Only while an operation works (the default). */
        OPERATION,
        /** From open to close: no other client can use the socket meanwhile. */
        CONNECTION;

        static Hold parse(String value) {
            for (Hold h : values()) {
                if (h.name().equalsIgnoreCase(value)) {
                    return h;
                }
            }
            throw new IllegalArgumentException("qmpHold must be 'operation' or 'connection', not '" + value + "'");
        }
    }

    /** One open operation; closing it may let go of the socket. */
    interface Operation extends AutoCloseable {
        @Override
        void close();
    }

    /** Beyond {@code busyWait}, how long a {@code connect} may take before the socket counts as busy. */
    private static final Duration CONNECT_GRACE = Duration.ofMillis(250);

    private final QmpEndpoint endpoint;
    private final Path socket;
    private final Hold hold;
    private final Duration busyWait;
    private QmpChannel live;
    private QmpGreeting greeting;
    private long generation;
    private int operations;
    private boolean closed;
    /** Whether channels made from now on may pass file descriptors: see {@link #passDescriptors()}. */
    private volatile boolean passesDescriptors;

    QmpSession(Path socket, Hold hold, Duration busyWait) {
        this(QmpEndpoint.of(socket), hold, busyWait);
    }

    /** A session on {@code endpoint}, which is told before each connection and before letting go. */
    QmpSession(QmpEndpoint endpoint, Hold hold, Duration busyWait) {
        this.endpoint = endpoint;
        this.socket = endpoint.socket();
        this.hold = hold;
        this.busyWait = busyWait;
    }

    Path socket() {
        return socket;
    }

    /** Whether the socket stays connected from open to close ({@link Hold#CONNECTION}). */
    boolean holdsConnection() {
        return hold == Hold.CONNECTION;
    }

    /**
     * From now on, connect with descriptor passing ({@link QmpChannel#unixPassingDescriptors}): the caller
     * associated descriptors that an operation may pass to QEMU. Until then a channel is the JDK's unix socket,
     * which spares a short process (one CLI verb) about 0.15 s of CPU. A connection held from open to close
     * ({@link Hold#CONNECTION}) passes descriptors from the start, since it is not made again.
     */
    void passDescriptors() {
        passesDescriptors = true;
    }

    /** Opens an operation: a socket connected within it stays connected until the operation is closed. */
    synchronized Operation begin() {
        if (operations == 0 && live != null && live.state() != QmpRunState.RUNNING) {
            disconnect(); // lost since the last operation (qmpHold=connection): this one connects again
        }
        operations++;
        return new Operation() {
            private boolean ended;

            @Override
            public void close() {
                synchronized (QmpSession.this) {
                    if (!ended) {
                        ended = true;
                        end();
                    }
                }
            }
        };
    }

    private void end() {
        operations--;
        if (operations == 0 && hold == Hold.OPERATION) {
            disconnect();
        }
    }

    /**
     * The greeting of the QEMU behind the socket, connecting first if needed, or empty when no QEMU listens
     * (socket missing or refusing).
     *
     * @throws QmpConnectException when the socket stays busy with another client, or the peer is no QMP monitor
     */
    Optional<QmpGreeting> reach() {
        try {
            return Optional.of(greeting());
        } catch (QmpConnectException e) {
            if (e.busy()) {
                throw e;
            }
            return Optional.empty();
        }
    }

    /** How many times this channel connected: a new number means capabilities may have changed. */
    synchronized long generation() {
        return generation;
    }

    /**
     * The connected channel of the open operations, connecting first when there is none. A connection lost
     * during the open operations is not replaced behind their back (the QEMU that answers might not be the one
     * they started with): they fail, and the next operation connects again.
     *
     * @throws QmpStateException when the session was closed, or no operation is open (with {@link Hold#OPERATION})
     * @throws QmpConnectException when no QEMU listens, or another client held the socket for the whole wait
     */
    synchronized QmpChannel channel() {
        if (closed) {
            throw new QmpStateException("use the connection to '" + socket + "'", QmpRunState.CLOSED, QmpRunState.RUNNING);
        }
        if (operations == 0 && hold == Hold.OPERATION) {
            throw new QmpStateException("use the qmp socket '" + socket + "' outside an operation", QmpRunState.IDLE,
                    QmpRunState.RUNNING);
        }
        if (live != null) {
            if (live.state() != QmpRunState.RUNNING) {
                throw new QmpDisconnectedException("the qmp connection to '" + socket + "' was lost during this "
                        + "operation; the next operation connects again", null);
            }
            return live;
        }
        endpoint.beforeConnect();
        QmpChannel ch = passesDescriptors || hold == Hold.CONNECTION
                ? QmpChannel.unixPassingDescriptors(socket, busyWait, QmpChannel.DEFAULT_COMMAND_TIMEOUT)
                : QmpChannel.unix(socket, busyWait, QmpChannel.DEFAULT_COMMAND_TIMEOUT);
        try {
            greeting = connectBounded(ch);
        } catch (QmpConnectException e) {
            endpoint.connectFailed();
            throw e.busy() ? busy(e) : e;
        } catch (RuntimeException e) {
            endpoint.connectFailed();
            throw e;
        }
        live = ch;
        generation++;
        return ch;
    }

    /**
     * {@code ch.connect()}, given up after {@code busyWait}: a {@code connect} beyond QEMU's queue blocks in the
     * kernel whatever timeout the socket was given (measured), so it runs on a thread of its own; abandoned,
     * the thread closes the channel once the queue moves.
     */
    private QmpGreeting connectBounded(QmpChannel ch) {
        CompletableFuture<QmpGreeting> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                if (!result.complete(ch.connect())) {
                    ch.close(); // given up on meanwhile
                }
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }, "qmp-connect " + socket.getFileName());
        t.setDaemon(true);
        t.start();
        try {
            return result.get(busyWait.toMillis() + CONNECT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            if (result.cancel(false)) {
                throw new QmpConnectException("qmp socket '" + socket + "': connect did not return", true, e);
            }
            try {
                return result.join(); // done just now: connected, or failed
            } catch (CompletionException done) {
                throw unwrap(done.getCause());
            }
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        } catch (InterruptedException e) {
            if (!result.cancel(false)) {
                ch.close();
            }
            Thread.currentThread().interrupt();
            throw new QmpInterruptedException("interrupted while connecting to qmp socket '" + socket + "'", e);
        }
    }

    private static RuntimeException unwrap(Throwable connectFailure) {
        return connectFailure instanceof RuntimeException r ? r : new IllegalStateException(connectFailure);
    }

    /**
     * Whether a QEMU greets a connection of its own (closed at once), while the open operations keep their lost
     * one: a lost connection does not say whether QEMU died.
     */
    private boolean answersAfresh() {
        QmpChannel probe = QmpChannel.unix(socket, busyWait, QmpChannel.DEFAULT_COMMAND_TIMEOUT);
        try {
            connectBounded(probe);
            return true;
        } catch (QmpConnectException e) {
            if (e.busy()) {
                throw busy(e).toVirtBackupException();
            }
            return false;
        } finally {
            probe.close();
        }
    }

    private QmpConnectException busy(QmpConnectException cause) {
        long ms = busyWait.toMillis();
        String wait = ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
        return new QmpConnectException("qmp socket '" + socket + "' is busy: another client held it for the whole "
                + wait + " wait (QEMU serves one QMP client at a time); close that client (a virtbackup connection "
                + "opened with qmpHold=connection holds it until closed), or give virtbackup its own monitor with a "
                + "second '-qmp unix:<path>,server=on,wait=off' option", true, cause);
    }

    private void disconnect() {
        if (live != null) {
            QmpChannel ch = live;
            live = null;
            try {
                endpoint.beforeDisconnect(ch.state() == QmpRunState.RUNNING ? Optional.of(ch) : Optional.empty());
            } finally {
                ch.close();
            }
        }
    }

    /** QEMU's greeting, connecting unless connected. Within an operation, the socket stays connected. */
    QmpGreeting greeting() {
        try (Operation op = begin()) {
            channel();
            synchronized (this) {
                return greeting;
            }
        }
    }

    /**
     * Whether a QEMU answers on the socket (connecting to find out; within an operation the connection stays).
     * False when no QEMU listens or the session was closed.
     *
     * @throws org.virtbackup.api.VirtBackupException {@code RESOURCE_BUSY} when another client holds the socket:
     *     QEMU runs, but cannot be used; {@code OPERATION_FAILED} when the connection was lost during the
     *     current operation
     */
    boolean answers() {
        synchronized (this) {
            if (closed) {
                return false;
            }
            if (live != null && live.state() != QmpRunState.RUNNING) {
                return answersAfresh(); // the open operations lost their connection: ask on a new one
            }
        }
        try {
            return reach().isPresent();
        } catch (QmpException e) {
            throw e.toVirtBackupException();
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        disconnect();
    }
}
