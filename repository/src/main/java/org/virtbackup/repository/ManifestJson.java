// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * The manifest's JSON form, written field by field so that the file stays readable by people and other
 * tools: {@code {"format":2,"domain":…,"checkpoint":…,"parent":…|null,"level":"full|inc","started":ISO-8601,
 * "ended":…,"domainXml":…|null,"disks":[{"name","file","backing"|null,"virtualSize","bytesRead","bytesWritten","sha256"}]}}.
 */
final class ManifestJson {
    /** 2: {@code sha256} is the digest of the block digests ({@link BlockDigests}); 1 was a plain SHA-256. */
    static final int FORMAT = 2;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ManifestJson() {
    }

    static String format(PointManifest m) {
        try {
            return JSON.writeValueAsString(toTree(m)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot format a manifest", e);
        }
    }

    static ObjectNode toTree(PointManifest m) {
        ObjectNode o = JSON.createObjectNode();
        o.put("format", FORMAT);
        o.put("domain", m.domain());
        o.put("checkpoint", m.checkpoint());
        o.put("parent", m.parent().orElse(null));
        o.put("level", m.level().name().toLowerCase(Locale.ROOT));
        o.put("started", m.started().toString());
        o.put("ended", m.ended().toString());
        o.put("domainXml", m.domainXml().orElse(null));
        ArrayNode disks = o.putArray("disks");
        for (DiskEntry d : m.disks()) {
            disks.addObject().put("name", d.name()).put("file", d.file()).put("backing", d.backing().orElse(null))
                    .put("virtualSize", d.virtualSize()).put("bytesRead", d.bytesRead())
                    .put("bytesWritten", d.bytesWritten()).put("sha256", d.sha256());
        }
        return o;
    }

    /** @throws VirtBackupException READ_FAILED for a manifest that is not one (named by {@code where}) */
    static PointManifest parse(String text, String where) {
        try {
            JsonNode o = JSON.readTree(text);
            if (o.path("format").asInt() != FORMAT) {
                throw new IllegalArgumentException("unknown format " + o.path("format"));
            }
            List<DiskEntry> disks = new ArrayList<>();
            for (JsonNode d : o.withArray("disks")) {
                disks.add(new DiskEntry(text(d, "name"), text(d, "file"), optional(d, "backing"),
                        d.path("virtualSize").asLong(), d.path("bytesRead").asLong(),
                        d.path("bytesWritten").asLong(), text(d, "sha256")));
            }
            return new PointManifest(text(o, "domain"), text(o, "checkpoint"), optional(o, "parent"),
                    Level.valueOf(text(o, "level").toUpperCase(Locale.ROOT)), disks,
                    Instant.parse(text(o, "started")), Instant.parse(text(o, "ended")),
                    optional(o, "domainXml"));
        } catch (JsonProcessingException | RuntimeException e) {
            throw new VirtBackupException(ErrorCode.READ_FAILED, ErrorDomain.STORAGE,
                    "manifest '" + where + "' is damaged: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' is missing");
        }
        return v.asText();
    }

    private static Optional<String> optional(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }
}
