// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.virtbackup.api.CheckpointHealth;

/** virsh's checkpoint output: the {@code vshTable} list, the {@code vshTreePrint} tree, and the health report. */
final class CheckpointFormat {

    /** virsh's {@code %Y-%m-%d %H:%M:%S %z}, local time. */
    static final DateTimeFormatter CREATION_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z");

    private CheckpointFormat() {
    }

    /** One listed checkpoint. */
    record Row(String name, long creationTime, Optional<String> parent) {
    }

    static String creationTime(long epochSeconds, ZoneId zone) {
        return CREATION_TIME.format(Instant.ofEpochSecond(epochSeconds).atZone(zone));
    }

    /** {@code checkpoint-list}: " Name   Creation Time" [ "   Parent"], dashes, one row per checkpoint. */
    static String list(List<Row> rows, boolean withParent, ZoneId zone) {
        List<List<String>> table = new ArrayList<>();
        table.add(withParent ? List.of("Name", "Creation Time", "Parent") : List.of("Name", "Creation Time"));
        for (Row r : rows) {
            String time = creationTime(r.creationTime(), zone);
            table.add(withParent ? List.of(r.name(), time, r.parent().orElse("")) : List.of(r.name(), time));
        }
        return table(table);
    }

    /**
     * libvirt's {@code vshTable}: each cell after a space, padded to its column's width plus two; the header
     * underlined with {@code width + 3} dashes per column.
     */
    static String table(List<List<String>> rows) {
        int columns = rows.get(0).size();
        int[] widths = new int[columns];
        for (List<String> r : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], r.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int n = 0; n < rows.size(); n++) {
            List<String> r = rows.get(n);
            for (int i = 0; i < columns; i++) {
                sb.append(' ').append(r.get(i));
                if (i < columns - 1) {
                    sb.append(" ".repeat(widths[i] - r.get(i).length() + 2));
                }
            }
            sb.append('\n');
            if (n == 0) {
                for (int i = 0; i < columns; i++) {
                    sb.append("-".repeat(widths[i] + 3));
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** {@code checkpoint-list --tree}: libvirt's {@code vshTreePrint} from each root, rows in list order. */
    static String tree(List<Row> rows) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).parent().isEmpty()) {
                treeNode(rows, i, i, true, new StringBuilder(), out);
            }
        }
        return out.toString();
    }

    private static void treeNode(List<Row> rows, int dev, int lastDev, boolean root, StringBuilder indent,
            StringBuilder out) {
        String name = rows.get(dev).name();
        out.append(indent).append(root ? "" : "+- ").append(name).append('\n');
        if (!root) {
            indent.append(dev == lastDev ? ' ' : '|').append(' ');
        }
        int nextLast = -1;
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).parent().filter(name::equals).isPresent()) {
                nextLast = i;
            }
        }
        if (nextLast != -1) {
            out.append(indent).append("  |\n");
        }
        indent.append("  ");
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).parent().filter(name::equals).isPresent()) {
                treeNode(rows, i, nextLast, false, indent, out);
            }
        }
        indent.setLength(indent.length() - 2);
        if (nextLast == -1 && dev == lastDev) {
            out.append(indent).append('\n');
        }
        if (!root) {
            indent.setLength(indent.length() - 2);
        }
    }

    /** {@code checkpoint-validate}: one line per checkpoint disk, then orphans, then the repairs. */
    static String health(CheckpointHealth h) {
        StringBuilder sb = new StringBuilder();
        if (h.disks().isEmpty()) {
            sb.append("No checkpoints.\n");
        } else {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("Checkpoint", "Disk", "Bitmap", "State"));
            h.disks().forEach(d -> rows.add(List.of(d.checkpoint(), d.disk(), d.bitmap(), d.state().label())));
            sb.append(table(rows));
        }
        if (!h.orphans().isEmpty()) {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("Orphan bitmap", "Disk", "Nodes", "Usable"));
            h.orphans().forEach(o -> rows.add(List.of(o.bitmap(), o.disk(), String.join(",", o.nodes()),
                    o.usable() ? "yes" : "no")));
            sb.append('\n').append(table(rows));
        }
        List<String> notes = new ArrayList<>();
        h.problems().forEach(p -> notes.add("checkpoint '" + p.checkpoint() + "' disk '" + p.disk() + "': "
                + p.detail()));
        h.problems().stream().map(p -> "checkpoint '" + p.checkpoint() + "': " + p.repair()).distinct()
                .forEach(notes::add);
        h.orphans().stream().map(o -> "bitmap '" + o.bitmap() + "': remove it with 'checkpoint-remove-bitmap "
                + o.bitmap() + "'" + (o.usable() ? " or adopt it with 'checkpoint-adopt-bitmap " + o.bitmap() + "'" : ""))
                .distinct().forEach(notes::add);
        if (!notes.isEmpty()) {
            sb.append('\n');
            notes.forEach(n -> sb.append(n).append('\n'));
        }
        return sb.toString();
    }

    /** The report as one JSON object. */
    static String healthJson(CheckpointHealth h) {
        StringBuilder sb = new StringBuilder("{\"ok\": ").append(h.ok()).append(", \"disks\": [");
        for (int i = 0; i < h.disks().size(); i++) {
            CheckpointHealth.DiskEntry d = h.disks().get(i);
            sb.append(i == 0 ? "" : ", ").append("{\"checkpoint\": ").append(str(d.checkpoint()))
                    .append(", \"disk\": ").append(str(d.disk())).append(", \"bitmap\": ").append(str(d.bitmap()))
                    .append(", \"state\": ").append(str(d.state().label())).append(", \"detail\": ")
                    .append(str(d.detail())).append(", \"repair\": ").append(str(d.repair())).append('}');
        }
        sb.append("], \"orphans\": [");
        for (int i = 0; i < h.orphans().size(); i++) {
            CheckpointHealth.Orphan o = h.orphans().get(i);
            sb.append(i == 0 ? "" : ", ").append("{\"bitmap\": ").append(str(o.bitmap())).append(", \"disk\": ")
                    .append(str(o.disk())).append(", \"nodes\": [");
            for (int j = 0; j < o.nodes().size(); j++) {
                sb.append(j == 0 ? "" : ", ").append(str(o.nodes().get(j)));
            }
            sb.append("], \"usable\": ").append(o.usable()).append('}');
        }
        return sb.append("]}\n").toString();
    }

    static String str(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : Objects.requireNonNull(s).toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
