// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An index over a {@code query-qmp-schema} reply. QEMU masks type names as numbers ("49"), so lookups start
 * from a command or event name and follow {@code arg-type}, members and union variants.
 */
public final class QmpSchema {
    private final Map<String, JsonNode> byName = new HashMap<>();

    private QmpSchema(JsonNode schema) {
        for (JsonNode entry : schema) {
            byName.put(entry.path("name").asText(), entry);
        }
    }

    /**
     * Indexes a schema.
     *
     * @param schema the {@code return} of {@code query-qmp-schema}, an array of SchemaInfo
     * @throws IllegalArgumentException when {@code schema} is not an array
     */
    public static QmpSchema of(JsonNode schema) {
        if (schema == null || !schema.isArray()) {
            throw new IllegalArgumentException("expected the query-qmp-schema array, got "
                    + (schema == null ? "nothing" : schema.getNodeType()));
        }
        return new QmpSchema(schema);
    }

    /** Whether QEMU has the command. */
    public boolean hasCommand(String command) {
        return "command".equals(entry(command).path("meta-type").asText());
    }

    /** Whether QEMU emits the event. */
    public boolean hasEvent(String event) {
        return "event".equals(entry(event).path("meta-type").asText());
    }

    /**
     * The argument member names of {@code command}, including those of the variant selected by
     * {@code variant} when its arguments are a flat union (e.g. {@code blockdev-add} with driver
     * {@code "copy-before-write"}); empty when the command or variant is unknown.
     */
    public Set<String> argumentMembers(String command, Optional<String> variant) {
        Set<String> names = new LinkedHashSet<>();
        JsonNode args = entry(entry(command).path("arg-type").asText());
        args.path("members").forEach(m -> names.add(m.path("name").asText()));
        variant.ifPresent(v -> args.path("variants").forEach(var -> {
            if (v.equals(var.path("case").asText())) {
                entry(var.path("type").asText()).path("members").forEach(m -> names.add(m.path("name").asText()));
            }
        }));
        return names;
    }

    /**
     * The values of the enum that types member {@code member} of {@code command}'s arguments, e.g. the
     * BlockdevDriver values of {@code blockdev-add}'s {@code driver}; empty when it is not an enum.
     */
    public Set<String> argumentEnumValues(String command, String member) {
        Set<String> values = new LinkedHashSet<>();
        JsonNode args = entry(entry(command).path("arg-type").asText());
        for (JsonNode m : args.path("members")) {
            if (member.equals(m.path("name").asText())) {
                JsonNode type = entry(m.path("type").asText());
                if ("enum".equals(type.path("meta-type").asText())) {
                    type.path("values").forEach(v -> values.add(v.asText()));
                }
            }
        }
        return values;
    }

    private JsonNode entry(String name) {
        JsonNode n = byName.get(name);
        return n == null ? MissingNode.getInstance() : n;
    }
}
