// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * An asynchronous QMP event, e.g. {@code JOB_STATUS_CHANGE {"id": "backup-vda", "status": "concluded"}}.
 *
 * <p>The timestamp is QEMU's own clock; on the reference machine it read 2026, so compare it only with other
 * QEMU timestamps (qemu-7.2-qmp-notes.md §8, gotcha 17).
 *
 * @param name the event name as QEMU spells it
 * @param data the event's {@code data} object (empty when it has none)
 * @param seconds timestamp seconds, QEMU's clock
 * @param microseconds timestamp microseconds
 */
public record QmpEvent(String name, ObjectNode data, long seconds, long microseconds) {

    public QmpEvent {
        Objects.requireNonNull(name, "name");
        data = data == null ? JsonNodeFactory.instance.objectNode() : data.deepCopy();
    }

    /** Builds an event from its wire form {@code {"event": ..., "data": ..., "timestamp": ...}}. */
    public static QmpEvent parse(JsonNode message) {
        JsonNode data = message.get("data");
        JsonNode ts = message.path("timestamp");
        return new QmpEvent(message.path("event").asText(), data instanceof ObjectNode o ? o : null,
                ts.path("seconds").asLong(), ts.path("microseconds").asLong());
    }

    @Override
    public ObjectNode data() {
        return data.deepCopy();
    }

    /** {@code data.<field>} as text, or the empty string when absent; e.g. {@code dataText("id")}. */
    public String dataText(String field) {
        return data.path(field).asText("");
    }

    /** The wire form. */
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("event", name);
        n.set("data", data.deepCopy());
        n.putObject("timestamp").put("seconds", seconds).put("microseconds", microseconds);
        return n;
    }

    @Override
    public String toString() {
        return name + " " + data;
    }
}
