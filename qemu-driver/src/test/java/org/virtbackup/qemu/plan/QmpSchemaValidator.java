// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.virtbackup.qemu.qmp.QmpCommand;

/**
 * Checks QMP commands against a captured {@code query-qmp-schema} reply (QEMU's introspection format:
 * entities with {@code meta-type} command/object/enum/array/alternate/builtin, members with a
 * {@code default} key when optional, flat unions through {@code tag} + {@code variants}). It checks command
 * names, member names, required members, JSON types and enum values, recursively; like libvirt's
 * {@code testQEMUSchemaValidate}, with no code generator.
 */
public final class QmpSchemaValidator {
    private static final String RESOURCE = "/qmp-schema/qemu-7.2.22-qmp-schema.json.gz";
    private static QmpSchemaValidator qemu72;

    private final Map<String, JsonNode> entities = new HashMap<>();

    private QmpSchemaValidator(JsonNode schema) {
        schema.forEach(e -> entities.put(e.path("name").asText(), e));
    }

    /** The schema captured from QEMU 7.2.22 (Debian 12) with {@code query-qmp-schema}. */
    public static synchronized QmpSchemaValidator qemu72() {
        if (qemu72 == null) {
            try (InputStream in = new GZIPInputStream(QmpSchemaValidator.class.getResourceAsStream(RESOURCE))) {
                qemu72 = new QmpSchemaValidator(new ObjectMapper().readTree(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return qemu72;
    }

    /** The problems of this command, empty when it is valid. */
    public List<String> validate(QmpCommand command) {
        List<String> errors = new ArrayList<>();
        JsonNode c = entities.get(command.execute());
        if (c == null || !"command".equals(c.path("meta-type").asText())) {
            errors.add("unknown command '" + command.execute() + "'");
            return errors;
        }
        check(c.path("arg-type").asText(), command.arguments(), command.execute(), errors);
        return errors;
    }

    /** Throws {@link AssertionError} listing the problems, if any. */
    public void assertValid(QmpCommand command) {
        List<String> errors = validate(command);
        if (!errors.isEmpty()) {
            throw new AssertionError("invalid QMP " + command.toJson() + ": " + errors);
        }
    }

    private void check(String type, JsonNode v, String path, List<String> errors) {
        JsonNode t = entities.get(type);
        switch (t.path("meta-type").asText()) {
            case "builtin" -> checkBuiltin(t.path("json-type").asText(), v, path, errors);
            case "enum" -> checkEnum(t, v, path, errors);
            case "array" -> checkArray(t, v, path, errors);
            case "object" -> checkObject(t, v, path, errors);
            case "alternate" -> checkAlternate(t, v, path, errors);
            default -> errors.add(path + ": unsupported meta-type of " + type);
        }
    }

    private static void checkBuiltin(String jsonType, JsonNode v, String path, List<String> errors) {
        boolean ok = switch (jsonType) {
            case "string" -> v.isTextual();
            case "int" -> v.isIntegralNumber();
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            case "null" -> v.isNull();
            case "object" -> v.isObject();
            default -> true; // "value": anything
        };
        if (!ok) {
            errors.add(path + ": expected " + jsonType + ", got " + v);
        }
    }

    private static void checkEnum(JsonNode t, JsonNode v, String path, List<String> errors) {
        for (JsonNode allowed : t.path("values")) {
            if (allowed.asText().equals(v.asText()) && v.isTextual()) {
                return;
            }
        }
        errors.add(path + ": " + v + " is not one of " + t.path("values"));
    }

    private void checkArray(JsonNode t, JsonNode v, String path, List<String> errors) {
        if (!v.isArray()) {
            errors.add(path + ": expected an array, got " + v);
            return;
        }
        for (int i = 0; i < v.size(); i++) {
            check(t.path("element-type").asText(), v.get(i), path + "[" + i + "]", errors);
        }
    }

    private void checkAlternate(JsonNode t, JsonNode v, String path, List<String> errors) {
        for (JsonNode m : t.path("members")) {
            List<String> attempt = new ArrayList<>();
            check(m.path("type").asText(), v, path, attempt);
            if (attempt.isEmpty()) {
                return;
            }
        }
        errors.add(path + ": " + v + " matches no branch of the alternate");
    }

    private void checkObject(JsonNode t, JsonNode v, String path, List<String> errors) {
        if (!v.isObject()) {
            errors.add(path + ": expected an object, got " + v);
            return;
        }
        Map<String, JsonNode> members = new LinkedHashMap<>();
        t.path("members").forEach(m -> members.put(m.path("name").asText(), m));
        if (t.has("tag")) {
            String tagValue = v.path(t.path("tag").asText()).asText(null);
            for (JsonNode variant : t.path("variants")) {
                if (variant.path("case").asText().equals(tagValue)) {
                    entities.get(variant.path("type").asText()).path("members")
                            .forEach(m -> members.put(m.path("name").asText(), m));
                }
            }
        }
        for (Iterator<String> it = v.fieldNames(); it.hasNext();) {
            String name = it.next();
            if (!members.containsKey(name)) {
                errors.add(path + ": unknown member '" + name + "'");
            }
        }
        members.forEach((name, m) -> {
            if (!v.has(name)) {
                if (!m.has("default")) {
                    errors.add(path + ": missing required member '" + name + "'");
                }
            } else {
                check(m.path("type").asText(), v.get(name), path + "." + name, errors);
            }
        });
    }
}
