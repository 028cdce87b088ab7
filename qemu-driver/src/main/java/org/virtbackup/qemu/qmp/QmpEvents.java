// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** Waiting for events on a listener that was opened before the command was sent. */
public final class QmpEvents {
    private QmpEvents() {
    }

    /**
     * Takes events from {@code listener} until one matches {@code predicate}. Events that do not match are
     * consumed (they stay in the listener's history). The deadline counts total time, however many events
     * arrive meanwhile.
     *
     * @param what a description of the awaited event for the timeout message, e.g. {@code "job 'mk1' concluded"}
     * @return the first matching event
     * @throws QmpTimeoutException when the deadline passes; the message lists what arrived instead
     * @throws QmpDisconnectedException when the connection is lost first
     */
    public static QmpEvent awaitEvent(QmpEventListener listener, Predicate<? super QmpEvent> predicate,
            Instant deadline, String what) {
        List<QmpEvent> skipped = new ArrayList<>();
        while (true) {
            Duration left = Duration.between(Instant.now(), deadline);
            Optional<QmpEvent> e = listener.poll(left.isNegative() ? Duration.ZERO : left);
            if (e.isEmpty()) {
                throw new QmpTimeoutException("timed out waiting for " + what + "; events seen meanwhile: "
                        + (skipped.isEmpty() ? "none" : QmpJson.abbreviate(skipped.toString(), 400)));
            }
            if (predicate.test(e.get())) {
                return e.get();
            }
            skipped.add(e.get());
        }
    }

    /** {@link #awaitEvent(QmpEventListener, Predicate, Instant, String)} with a generic description. */
    public static QmpEvent awaitEvent(QmpEventListener listener, Predicate<? super QmpEvent> predicate,
            Instant deadline) {
        return awaitEvent(listener, predicate, deadline, "a matching event " + listener.describe());
    }
}
