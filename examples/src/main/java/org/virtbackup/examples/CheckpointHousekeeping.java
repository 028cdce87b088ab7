// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.examples;

import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.virtbackup.api.CheckpointDeleteFlag;
import org.virtbackup.api.CheckpointDiskState;
import org.virtbackup.api.CheckpointHealth;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;

/**
 * The checkpoint housekeeping a management application runs after its backups: repair what the health report
 * says is broken, keep the newest {@code KEEP} checkpoints and delete the older ones, oldest first (each
 * checkpoint's bitmaps cost guest write performance and image space). Checkpoints whose bitmaps are unusable
 * are deleted as the report says: metadata only when a bitmap is missing, then the copies left on other disks.
 * Orphan bitmaps (no checkpoint claims them) may be another tool's: they are removed only when asked.
 *
 * <pre>java org.virtbackup.examples.CheckpointHousekeeping URI KEEP [--remove-orphans] [STATE_DIR]</pre>
 */
public final class CheckpointHousekeeping {

    /** What a run did, and the health report after it. */
    public record Summary(List<String> repaired, List<String> deleted, List<String> orphansRemoved,
            CheckpointHealth after) {
    }

    private CheckpointHousekeeping() {
    }

    public static void main(String[] args) {
        List<String> rest = new ArrayList<>(List.of(args));
        boolean removeOrphans = rest.remove("--remove-orphans");
        if (rest.size() < 2 || !rest.get(1).matches("\\d+")) {
            System.err.println("usage: CheckpointHousekeeping URI KEEP [--remove-orphans] [STATE_DIR]");
            System.exit(2);
        }
        Map<String, String> options = rest.size() > 2 ? Map.of("stateDir", rest.get(2)) : Map.of();
        Summary s = run(rest.get(0), options, Integer.parseInt(rest.get(1)), removeOrphans, System.out);
        System.exit(s.after().ok() ? 0 : 1);
    }

    /** Repairs, applies the retention, and returns what was done. */
    public static Summary run(String uri, Map<String, String> options, int keep, boolean removeOrphans,
            PrintStream out) {
        try (Connection conn = Connections.open(URI.create(uri), options)) {
            Domain dom = conn.domain();
            if (dom.currentBackup().isPresent()) { // deleting the checkpoint a backup uses is refused anyway
                out.println("a backup job is running; housekeeping skipped");
                return new Summary(List.of(), List.of(), List.of(), dom.checkpointHealth());
            }
            CheckpointHealth before = dom.checkpointHealth();
            print("before", before, out);
            List<String> repaired = repair(dom, before, out);

            List<DomainCheckpoint> all = dom.listAllCheckpoints(EnumSet.of(CheckpointListFlag.TOPOLOGICAL));
            List<String> deleted = new ArrayList<>();
            for (DomainCheckpoint cp : all.subList(0, Math.max(0, all.size() - keep))) { // parents first: oldest
                out.println("deleting checkpoint " + cp.name() + " of " + cp.creationTime() + " (keeping the newest "
                        + keep + ")");
                cp.delete(EnumSet.noneOf(CheckpointDeleteFlag.class)); // its changes merge into its child's bitmap
                deleted.add(cp.name());
            }

            List<String> orphansRemoved = new ArrayList<>();
            for (String bitmap : new TreeSet<>(dom.checkpointHealth().orphans().stream()
                    .map(CheckpointHealth.Orphan::bitmap).toList())) {
                if (removeOrphans) {
                    out.println("removing orphan bitmap " + bitmap);
                    dom.checkpointRemoveBitmap(bitmap);
                    orphansRemoved.add(bitmap);
                } else {
                    out.println("orphan bitmap " + bitmap + " left alone: remove it with --remove-orphans, or adopt"
                            + " it with Domain.checkpointAdoptBitmap if it is ours");
                }
            }
            CheckpointHealth after = dom.checkpointHealth();
            print("after", after, out);
            return new Summary(repaired, deleted, orphansRemoved, after);
        }
    }

    /** Deletes every checkpoint the report says is unusable, the way its repair text says. */
    private static List<String> repair(Domain dom, CheckpointHealth health, PrintStream out) {
        Map<String, List<CheckpointHealth.DiskEntry>> broken = new LinkedHashMap<>();
        health.problems().forEach(e -> broken.computeIfAbsent(e.checkpoint(), k -> new ArrayList<>()).add(e));
        for (Map.Entry<String, List<CheckpointHealth.DiskEntry>> b : broken.entrySet()) {
            DomainCheckpoint cp = dom.checkpointLookupByName(b.getKey());
            boolean missing = b.getValue().stream().anyMatch(e -> e.state() == CheckpointDiskState.MISSING);
            out.println("repairing checkpoint " + cp.name() + ": " + b.getValue().get(0).repair());
            if (missing) { // a plain delete fails where no layer has the bitmap
                cp.delete(EnumSet.of(CheckpointDeleteFlag.METADATA_ONLY));
                boolean copiesLeft = health.disks().stream().anyMatch(e -> e.checkpoint().equals(cp.name())
                        && e.state() != CheckpointDiskState.MISSING);
                if (copiesLeft) {
                    dom.checkpointRemoveBitmap(cp.name()); // the checkpoint's own bitmaps, now without metadata
                }
            } else {
                cp.delete(EnumSet.noneOf(CheckpointDeleteFlag.class));
            }
        }
        return List.copyOf(broken.keySet());
    }

    private static void print(String when, CheckpointHealth h, PrintStream out) {
        out.println("health " + when + ": " + (h.ok() ? "ok" : h.problems().size() + " problem(s), "
                + h.orphans().size() + " orphan bitmap(s)"));
        for (CheckpointHealth.DiskEntry e : h.disks()) {
            out.println("  checkpoint " + e.checkpoint() + " disk " + e.disk() + ": " + e.state().label()
                    + (e.detail().isEmpty() ? "" : " (" + e.detail() + ")"));
        }
        for (CheckpointHealth.Orphan o : h.orphans()) {
            out.println("  orphan bitmap " + o.bitmap() + " on disk " + o.disk() + " " + o.nodes()
                    + (o.usable() ? ", usable" : ", unusable"));
        }
    }
}
