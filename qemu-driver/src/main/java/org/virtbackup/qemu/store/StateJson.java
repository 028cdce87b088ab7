// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.virtbackup.api.BackupMode;
import org.virtbackup.qemu.plan.PullMethod;
import org.virtbackup.qemu.plan.Resource;
import org.virtbackup.qemu.qmp.QemuCapabilities;

/**
 * The job files' content as JSON trees, mapped field by field: no data binding, so that a CLI verb does not set
 * up an {@code ObjectMapper} (about 50 ms in a fresh process) to read or write its job. The format is the one
 * Jackson's data binding wrote before (golden files in the tests), so a job recorded by an earlier version
 * reads back: record components in declaration order, nulls written, unknown fields ignored, enum names in any
 * case, and each {@link Resource} wrapped in an object named after its kind ({@code {"node": {"name": "n"}}}).
 * Every reader throws {@link IllegalArgumentException} when a required field is missing or has the wrong form.
 */
public final class StateJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private StateJson() {
    }

    static ObjectNode tree(JobRecord r) {
        ObjectNode n = NODES.objectNode();
        n.put("jobId", r.jobId());
        n.put("mode", r.mode().name());
        n.put("phase", r.phase().name());
        n.put("startedAtMillis", r.startedAtMillis());
        JobRecord.Options o = r.options();
        n.putObject("options").put("reuseExternal", o.reuseExternal()).put("fallbackFull", o.fallbackFull())
                .put("tlsDir", o.tlsDir()).put("speedLimit", o.speedLimit()).put("copyRange", o.copyRange())
                .put("pullMethod", o.pullMethod().name()).put("preserveOnShutdown", o.preserveOnShutdown());
        n.put("alignedXml", r.alignedXml());
        n.put("checkpoint", r.checkpoint());
        n.set("checkpointDisks", strings(r.checkpointDisks()));
        ObjectNode bitmaps = n.putObject("sourceBitmaps");
        r.sourceBitmaps().forEach((cp, byDisk) -> bitmaps.set(cp, stringMap(byDisk)));
        n.set("backingTargets", targets(r.backingTargets()));
        n.set("queryBlock", r.queryBlock());
        n.set("namedNodes", r.namedNodes());
        n.set("diskNames", stringMap(r.diskNames()));
        n.set("capabilities", tree(r.capabilities()));
        n.put("guestWasRunning", r.guestWasRunning());
        ArrayNode created = n.putArray("created");
        r.created().forEach(c -> created.add(tree(c)));
        n.set("notes", strings(r.notes()));
        return n;
    }

    static JobRecord jobRecord(JsonNode n) {
        JsonNode o = required(n, "options");
        JobRecord.Options options = new JobRecord.Options(o.path("reuseExternal").asBoolean(),
                o.path("fallbackFull").asBoolean(), text(o, "tlsDir"), o.path("speedLimit").asLong(),
                o.path("copyRange").asBoolean(), constant(PullMethod.class, required(o, "pullMethod")),
                o.path("preserveOnShutdown").asBoolean());
        Map<String, Map<String, String>> sourceBitmaps = map(n.path("sourceBitmaps"), StateJson::stringMap);
        List<Resource> created = new ArrayList<>();
        n.path("created").forEach(c -> created.add(resource(c)));
        return new JobRecord(required(n, "jobId").asText(), constant(BackupMode.class, required(n, "mode")),
                constant(JobRecord.Phase.class, required(n, "phase")), n.path("startedAtMillis").asLong(), options,
                text(n, "alignedXml"), text(n, "checkpoint"), strings(n.path("checkpointDisks")), sourceBitmaps,
                targets(n.path("backingTargets")), tree(n, "queryBlock"), tree(n, "namedNodes"),
                stringMap(n.path("diskNames")), capabilities(required(n, "capabilities")),
                n.path("guestWasRunning").asBoolean(), created, strings(n.path("notes")));
    }

    /** The capabilities as an object of named flags. */
    public static ObjectNode tree(QemuCapabilities c) {
        return NODES.objectNode().put("copyBeforeWrite", c.copyBeforeWrite()).put("snapshotAccess", c.snapshotAccess())
                .put("backupXPerf", c.backupXPerf()).put("blockExportAdd", c.blockExportAdd())
                .put("cbwOnError", c.cbwOnError());
    }

    /** The capabilities {@link #tree(QemuCapabilities)} wrote. */
    public static QemuCapabilities capabilities(JsonNode n) {
        if (!n.isObject()) {
            throw new IllegalArgumentException("capabilities are not an object");
        }
        return new QemuCapabilities(n.path("copyBeforeWrite").asBoolean(), n.path("snapshotAccess").asBoolean(),
                n.path("backupXPerf").asBoolean(), n.path("blockExportAdd").asBoolean(),
                n.path("cbwOnError").asBoolean());
    }

    static ObjectNode targets(Map<String, JobRecord.BackingRef> targets) {
        ObjectNode n = NODES.objectNode();
        targets.forEach((disk, t) -> n.putObject(disk).put("path", t.path()).put("format", t.format()));
        return n;
    }

    static Map<String, JobRecord.BackingRef> targets(JsonNode n) {
        return map(n, t -> new JobRecord.BackingRef(text(t, "path"), text(t, "format")));
    }

    /** Typed parameters (strings, numbers, booleans, lists of strings) as an object. */
    static ObjectNode params(Map<String, Object> params) {
        ObjectNode n = NODES.objectNode();
        params.forEach((k, v) -> n.set(k, value(v)));
        return n;
    }

    /** The parameters {@link #params(Map)} wrote: integral numbers as {@code Integer} or {@code Long} by size. */
    static Map<String, Object> params(JsonNode n) {
        return map(n, StateJson::plain);
    }

    private static JsonNode value(Object v) {
        if (v == null) {
            return NODES.nullNode();
        } else if (v instanceof String s) {
            return NODES.textNode(s);
        } else if (v instanceof Boolean b) {
            return NODES.booleanNode(b);
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return NODES.numberNode(((Number) v).longValue());
        } else if (v instanceof Double || v instanceof Float) {
            return NODES.numberNode(((Number) v).doubleValue());
        } else if (v instanceof List<?> l) {
            ArrayNode a = NODES.arrayNode();
            l.forEach(e -> a.add(value(e)));
            return a;
        }
        throw new IllegalArgumentException("a job parameter cannot be a " + v.getClass().getSimpleName());
    }

    private static Object plain(JsonNode n) {
        if (n.isTextual()) {
            return n.textValue();
        } else if (n.isBoolean()) {
            return n.booleanValue();
        } else if (n.isInt()) {
            return n.intValue();
        } else if (n.isIntegralNumber()) {
            return n.canConvertToLong() ? (Object) n.longValue() : n.bigIntegerValue();
        } else if (n.isNumber()) {
            return n.doubleValue();
        } else if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            n.forEach(e -> l.add(plain(e)));
            return l;
        } else if (n.isObject()) {
            return map(n, StateJson::plain);
        }
        return null;
    }

    private static ObjectNode tree(Resource r) {
        ObjectNode n = NODES.objectNode();
        if (r instanceof Resource.Node x) {
            n.putObject("node").put("name", x.name());
        } else if (r instanceof Resource.Job x) {
            n.putObject("job").put("id", x.id());
        } else if (r instanceof Resource.Bitmap x) {
            n.putObject("bitmap").put("node", x.node()).put("name", x.name());
        } else if (r instanceof Resource.File x) {
            n.putObject("file").put("path", x.path());
        } else if (r instanceof Resource.Export x) {
            n.putObject("export").put("id", x.id());
        } else if (r instanceof Resource.NbdServer) {
            n.putObject("nbd-server");
        } else if (r instanceof Resource.QomObject x) {
            n.putObject("object").put("id", x.id());
        } else {
            throw new IllegalArgumentException("no stored form for " + r);
        }
        return n;
    }

    private static Resource resource(JsonNode n) {
        if (!n.isObject() || n.size() != 1) {
            throw new IllegalArgumentException("a created resource is not an object of one kind: " + n.getNodeType());
        }
        String kind = n.fieldNames().next();
        JsonNode v = n.get(kind);
        switch (kind) {
            case "node":
                return new Resource.Node(requiredText(v, "name"));
            case "job":
                return new Resource.Job(requiredText(v, "id"));
            case "bitmap":
                return new Resource.Bitmap(requiredText(v, "node"), requiredText(v, "name"));
            case "file":
                return new Resource.File(requiredText(v, "path"));
            case "export":
                return new Resource.Export(requiredText(v, "id"));
            case "nbd-server":
                return new Resource.NbdServer();
            case "object":
                return new Resource.QomObject(requiredText(v, "id"));
            default:
                throw new IllegalArgumentException("unknown kind of created resource '" + kind + "'");
        }
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode a = NODES.arrayNode();
        values.forEach(a::add);
        return a;
    }

    private static List<String> strings(JsonNode n) {
        List<String> l = new ArrayList<>();
        n.forEach(e -> l.add(e.asText()));
        return l;
    }

    private static ObjectNode stringMap(Map<String, String> values) {
        ObjectNode n = NODES.objectNode();
        values.forEach(n::put);
        return n;
    }

    private static Map<String, String> stringMap(JsonNode n) {
        return map(n, JsonNode::asText);
    }

    /** An object's fields in order, each value read by {@code reader}; a missing or null object is empty. */
    private static <V> Map<String, V> map(JsonNode n, Function<JsonNode, V> reader) {
        Map<String, V> m = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            m.put(e.getKey(), reader.apply(e.getValue()));
        }
        return m;
    }

    private static <E extends Enum<E>> E constant(Class<E> type, JsonNode n) {
        return Enum.valueOf(type, n.asText().toUpperCase(Locale.ROOT));
    }

    private static JsonNode required(JsonNode n, String field) {
        JsonNode v = n.path(field);
        if (v.isMissingNode() || v.isNull()) {
            throw new IllegalArgumentException("'" + field + "' is missing");
        }
        return v;
    }

    private static String requiredText(JsonNode n, String field) {
        return required(n, field).asText();
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isMissingNode() || v.isNull() ? null : v.asText();
    }

    private static JsonNode tree(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isMissingNode() || v.isNull() ? null : v;
    }
}
