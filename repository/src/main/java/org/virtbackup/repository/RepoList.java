// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.nio.file.Files;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * {@code repo list}: the complete points, oldest first per domain, as a table or as JSON (the manifests, each
 * with {@code "stored"}: the bytes its files take).
 *
 * @since 0.1
 */
public final class RepoList {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private RepoList() {
    }

    /** A table: point, domain, level, parent, end time (UTC), disks, bytes read, bytes stored. */
    public static String table(List<Point> points) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Point", "Domain", "Level", "Parent", "Ended (UTC)", "Disks", "Read", "Stored"});
        for (Point p : points) {
            PointManifest m = p.manifest();
            rows.add(new String[] {m.checkpoint(), m.domain(), m.level().name().toLowerCase(Locale.ROOT),
                m.parent().orElse("-"), TIME.format(m.ended()),
                m.disks().stream().map(DiskEntry::name).collect(Collectors.joining(",")),
                bytes(m.bytesRead()), bytes(stored(p))});
        }
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(' ').append(String.format("%-" + width[i] + "s", r[i])).append(' ');
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /** The manifests as a JSON array, each with its {@code "stored"} bytes. */
    public static String json(List<Point> points) {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ArrayNode arr = json.createArrayNode();
        for (Point p : points) {
            arr.add(ManifestJson.toTree(p.manifest()).put("stored", stored(p)));
        }
        return write(json, arr);
    }

    /** One point's manifest as a JSON object, with its {@code "stored"} bytes. */
    public static String json(Point point) {
        return write(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT),
                ManifestJson.toTree(point.manifest()).put("stored", stored(point)));
    }

    /** {@code repo verify --json}: {@code {"ok":…,"checked":["point/disk",…],"failures":[{"point","disk","reason"}]}}. */
    public static String json(VerifyReport report) {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        var o = json.createObjectNode().put("ok", report.ok());
        report.checked().forEach(o.putArray("checked")::add);
        ArrayNode failures = o.putArray("failures");
        for (VerifyReport.Failure f : report.failures()) {
            failures.addObject().put("point", f.point()).put("disk", f.disk()).put("reason", f.reason());
        }
        return write(json, o);
    }

    /** A JSON object {@code {"<key>":[values…]}}: {@code repo restore --json} (images), {@code repo prune --json} (removed). */
    public static String json(String key, List<String> values) {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        var o = json.createObjectNode();
        values.forEach(o.putArray(key)::add);
        return write(json, o);
    }

    private static String write(ObjectMapper json, Object tree) {
        try {
            return json.writeValueAsString(tree) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("cannot format JSON", e);
        }
    }

    /** Bytes the point's files take on disk. */
    static long stored(Point p) {
        long sum = 0;
        for (DiskEntry d : p.manifest().disks()) {
            try {
                sum += Files.size(p.file(d));
            } catch (IOException e) {
                throw new VirtBackupException(ErrorCode.READ_FAILED, ErrorDomain.STORAGE,
                        "cannot read the size of '" + p.file(d) + "': " + e.getMessage(), e);
            }
        }
        return sum;
    }

    /** {@code 12.5 MiB}, binary units. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
