// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@link FakeQmpServer} sends for one command: events before the reply, the reply (a return value or an
 * error), events after it, and whether to hang up afterwards (as QEMU does after {@code quit}).
 *
 * @param eventsBefore events sent before the reply, in order
 * @param reply {@code {"return": ...}} or {@code {"error": ...}}, without id
 * @param eventsAfter events sent after the reply
 * @param hangUp close the connection after sending everything
 */
public record QmpResponse(List<ObjectNode> eventsBefore, ObjectNode reply, List<ObjectNode> eventsAfter,
        boolean hangUp) {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    public QmpResponse {
        eventsBefore = List.copyOf(eventsBefore);
        eventsAfter = List.copyOf(eventsAfter);
    }

    /** {@code {"return": {}}}. */
    public static QmpResponse ok() {
        return ok(F.objectNode());
    }

    /** {@code {"return": value}}. */
    public static QmpResponse ok(JsonNode value) {
        ObjectNode r = F.objectNode();
        r.set("return", value);
        return new QmpResponse(List.of(), r, List.of(), false);
    }

    /** {@code {"error": {"class": errorClass, "desc": desc}}}. */
    public static QmpResponse error(String errorClass, String desc) {
        ObjectNode r = F.objectNode();
        r.putObject("error").put("class", errorClass).put("desc", desc);
        return new QmpResponse(List.of(), r, List.of(), false);
    }

    /** A QMP event message with a fixed timestamp. */
    public static ObjectNode event(String name, ObjectNode data) {
        ObjectNode e = F.objectNode();
        e.put("event", name);
        e.set("data", data == null ? F.objectNode() : data);
        e.putObject("timestamp").put("seconds", 1795319140L).put("microseconds", 0);
        return e;
    }

    /** This response with {@code event} sent before the reply. */
    public QmpResponse withEventBefore(String name, ObjectNode data) {
        List<ObjectNode> before = new ArrayList<>(eventsBefore);
        before.add(event(name, data));
        return new QmpResponse(before, reply, eventsAfter, hangUp);
    }

    /** This response with {@code event} sent after the reply. */
    public QmpResponse withEventAfter(String name, ObjectNode data) {
        List<ObjectNode> after = new ArrayList<>(eventsAfter);
        after.add(event(name, data));
        return new QmpResponse(eventsBefore, reply, after, hangUp);
    }

    /** This response, then the connection is closed. */
    public QmpResponse thenHangUp() {
        return new QmpResponse(eventsBefore, reply, eventsAfter, true);
    }
}
