// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One subscriber's view of a channel's events, after qemu.qmp's {@code EventListener}: its own unbounded
 * queue (nothing is ever dropped, unlike go-qemu's shared channel), a filter on names and on {@code data},
 * and a history of everything it accepted.
 *
 * <p>Open it with {@link QmpChannel#listen} <em>before</em> sending the command whose events you want: the
 * reader thread hands each event to every listener before it completes the reply that follows, so an event
 * QEMU sends before a {@code return} is already queued when {@code execute} returns.
 *
 * <p>When the connection drops, queued events can still be taken; after them, {@link #poll} and
 * {@link #next} throw {@link QmpDisconnectedException}.
 */
public final class QmpEventListener implements AutoCloseable {
    private static final Object DISCONNECTED = new Object();
    private static final Object WAKE = new Object();

    private final Set<String> names;
    private final Predicate<? super JsonNode> dataFilter;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final List<QmpEvent> history = new ArrayList<>();
    private final Runnable unregister;
    private volatile Throwable disconnectCause;
    private volatile boolean closed;

    QmpEventListener(Set<String> names, Predicate<? super JsonNode> dataFilter, Runnable unregister) {
        this.names = Set.copyOf(names);
        this.dataFilter = dataFilter == null ? d -> true : dataFilter;
        this.unregister = unregister;
    }

    boolean accepts(QmpEvent event) {
        return (names.isEmpty() || names.contains(event.name())) && dataFilter.test(event.data());
    }

    /** Called by the reader thread, in wire order. */
    void offer(QmpEvent event) {
        synchronized (history) {
            history.add(event);
        }
        queue.add(event);
    }

    /** Called once when the connection is lost or closed. */
    void disconnected(Throwable cause) {
        disconnectCause = cause;
        queue.add(DISCONNECTED);
    }

    /** Makes a {@link #poll} that waits now, or the next one, return at once (empty), for a waiter with news. */
    public void wake() {
        queue.add(WAKE);
    }

    /** The names this listener accepts; empty means all. */
    public Set<String> names() {
        return names;
    }

    /**
     * Takes the next queued event, waiting up to {@code timeout}.
     *
     * @return the event, or empty when none arrived in time (or {@link #wake} was called)
     * @throws QmpDisconnectedException when the queue is empty and the connection is gone
     * @throws QmpInterruptedException when the thread is interrupted
     */
    public Optional<QmpEvent> poll(Duration timeout) {
        Object o;
        try {
            o = queue.poll(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpInterruptedException("interrupted while waiting for a qmp event", e);
        }
        if (o == DISCONNECTED) {
            queue.add(DISCONNECTED); // keep telling later callers
            throw new QmpDisconnectedException("qmp connection lost while waiting for events " + describe(),
                    disconnectCause);
        }
        return o == WAKE ? Optional.empty() : Optional.ofNullable((QmpEvent) o);
    }

    /**
     * Takes the next queued event, waiting until {@code deadline}.
     *
     * @throws QmpTimeoutException when no event arrived before the deadline
     * @throws QmpDisconnectedException when the queue is empty and the connection is gone
     */
    public QmpEvent next(Instant deadline) {
        return poll(Duration.between(Instant.now(), deadline)).orElseThrow(() -> new QmpTimeoutException(
                "no qmp event " + describe() + " arrived before the deadline"));
    }

    /** Takes every event queued now, without waiting. Never throws for a lost connection. */
    public List<QmpEvent> drain() {
        List<Object> raw = new ArrayList<>();
        queue.drainTo(raw);
        List<QmpEvent> events = new ArrayList<>();
        for (Object o : raw) {
            if (o == DISCONNECTED) {
                queue.add(DISCONNECTED);
            } else if (o != WAKE) {
                events.add((QmpEvent) o);
            }
        }
        return events;
    }

    /** Every event this listener ever accepted, consumed or not, in arrival order; unmodifiable copy. */
    public List<QmpEvent> history() {
        synchronized (history) {
            return List.copyOf(history);
        }
    }

    /** Whether the connection this listener was attached to is gone. */
    public boolean isDisconnected() {
        return disconnectCause != null;
    }

    /** Why the connection was lost, or null while it is up. */
    Throwable disconnectCause() {
        return disconnectCause;
    }

    String describe() {
        return names.isEmpty() ? "(any)" : names.toString();
    }

    /** Stops receiving events; queued events and history stay readable. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            unregister.run();
        }
    }
}
