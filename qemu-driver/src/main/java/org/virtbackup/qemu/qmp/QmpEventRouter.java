// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Fans events out to the listeners of one channel. */
final class QmpEventRouter {
    private static final Logger LOG = LoggerFactory.getLogger(QmpEventRouter.class);

    private final List<QmpEventListener> listeners = new CopyOnWriteArrayList<>();
    private volatile Throwable disconnectCause;

    QmpEventListener open(Set<String> names, Predicate<? super JsonNode> dataFilter) {
        QmpEventListener[] self = new QmpEventListener[1];
        self[0] = new QmpEventListener(names, dataFilter, () -> listeners.remove(self[0]));
        listeners.add(self[0]);
        // a listener opened while the channel was dropping must still learn about it
        Throwable cause = disconnectCause;
        if (cause != null && listeners.remove(self[0])) {
            self[0].disconnected(cause);
        }
        return self[0];
    }

    void dispatch(QmpEvent event) {
        LOG.debug("event {}", event);
        for (QmpEventListener l : listeners) {
            boolean accepted;
            try {
                accepted = l.accepts(event);
            } catch (RuntimeException e) {
                // a broken filter must not starve the other listeners or kill the reader thread
                LOG.warn("event filter of listener {} threw on {}; event not delivered to it", l.describe(), event, e);
                continue;
            }
            if (accepted) {
                l.offer(event);
            }
        }
    }

    void disconnected(Throwable cause) {
        disconnectCause = cause;
        for (QmpEventListener l : listeners) {
            if (listeners.remove(l)) {
                l.disconnected(cause);
            }
        }
    }
}
