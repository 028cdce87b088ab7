// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtbackup.qemu.json.JsonTrees;

/**
 * The one reader thread of a channel: reads JSON lines and routes them, in wire order, to events or to the
 * pending call with the reply's id. Routing an event before the reply that follows it is what lets a caller
 * find QEMU's {@code SHUTDOWN} in its listener once {@code quit} has returned (the event comes first,
 * java-dependencies.md §3).
 */
final class QmpReader implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(QmpReader.class);

    /** Where routed messages go. */
    interface Sink {
        void reply(String id, JsonNode message);

        void event(QmpEvent event);

        void connectionLost(Throwable cause);
    }

    private final BufferedReader reader;
    private final Sink sink;

    QmpReader(BufferedReader reader, Sink sink) {
        this.reader = reader;
        this.sink = sink;
    }

    @Override
    public void run() {
        Throwable cause;
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                route(line);
            }
            cause = new QmpDisconnectedException("qemu closed the qmp connection (end of file)", null);
        } catch (QmpProtocolException e) {
            cause = e;
        } catch (IOException e) {
            cause = e;
        } catch (RuntimeException e) {
            LOG.error("qmp reader failed", e);
            cause = e;
        }
        sink.connectionLost(cause);
    }

    private void route(String line) {
        if (line.isBlank()) {
            return;
        }
        JsonNode msg;
        try {
            msg = JsonTrees.parse(line);
        } catch (JsonProcessingException e) {
            // not fatal: a reply that follows may still be the one a caller waits for
            LOG.warn("ignoring a qmp line that is not JSON: '{}'", QmpJson.abbreviate(line, 200));
            return;
        }
        if (!msg.isObject()) {
            LOG.warn("ignoring a qmp message that is not an object: {}", QmpJson.abbreviate(line, 200));
        } else if (msg.has("event")) {
            sink.event(QmpEvent.parse(msg));
        } else if (msg.has("return") || msg.has("error")) {
            routeReply(msg);
        } else {
            LOG.warn("ignoring an unrecognised qmp message: {}", QmpJson.abbreviate(line, 200));
        }
    }

    private void routeReply(JsonNode msg) {
        JsonNode id = msg.get("id");
        if (id != null) {
            sink.reply(id.asText(), msg);
        } else if (msg.has("error")) {
            // QEMU omits the id only when it could not parse a command at all, so it cannot say which call
            // failed; waiting callers would hang, so the connection is dropped (STYLE.md point 5)
            throw new QmpProtocolException("qemu sent an error without id, so no call can be matched to it: "
                    + msg.path("error").path("class").asText() + ": " + msg.path("error").path("desc").asText()
                    + "; the client sent something QEMU could not parse");
        } else {
            LOG.warn("dropping a qmp reply without id: {}", QmpJson.abbreviate(msg.toString(), 200));
        }
    }
}
