// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checkpoint figures per count: each operation's median and spread, and its ratio against the reference
 * of the same round that does the least the operation must do (see {@link CheckpointReferences}).
 */
final class CheckpointReport {
    /** Operation to its reference. */
    static final Map<String, String> REFERENCE = new LinkedHashMap<>();

    static {
        REFERENCE.put(CheckpointBenchmark.OPEN, CheckpointReferences.QUERIES);
        REFERENCE.put(CheckpointBenchmark.LIST, CheckpointReferences.READ);
        REFERENCE.put(CheckpointBenchmark.LIST_TOPO, CheckpointReferences.READ);
        REFERENCE.put(CheckpointBenchmark.CREATE, CheckpointReferences.ADD);
        REFERENCE.put(CheckpointBenchmark.DELETE_LEAF, CheckpointReferences.REMOVE);
        REFERENCE.put(CheckpointBenchmark.DELETE_MIDDLE, CheckpointReferences.REMOVE);
    }

    private record Count(int count, int created, double growthSeconds, List<Series> series) {
    }

    private final List<Count> counts = new ArrayList<>();

    void add(int count, int created, double growthSeconds, List<Series> series) {
        counts.add(new Count(count, created, growthSeconds, List.copyOf(series)));
    }

    void print(PrintStream out) {
        out.printf("%ncheckpoints, milliseconds (median, spread = (max-min)/median); ratio = median / reference median:%n");
        out.printf("%6s %-45s %3s %10s %7s %10s %8s%n", "count", "operation", "n", "median ms", "spread", "ref ms",
                "ratio");
        for (Count c : counts) {
            for (Series s : c.series()) {
                Stats st = s.stats(Stats.TOTAL);
                String ref = REFERENCE.get(s.id);
                out.printf("%6d %-45s %3d %10.2f %6.0f%% %10s %8s%n", c.count(), s.id, st.n(), 1000 * st.median(),
                        100 * st.spread(), ref == null ? "" : String.format("%.2f", 1000 * stats(c, ref).median()),
                        ref == null ? "" : String.format("%.1f", st.ratio(stats(c, ref))));
            }
            out.printf("%6d %-45s %3d %10.2f   (growth: %d creates in %.1f s)%n", c.count(), "create, during growth (mean)",
                    c.created(), 1000 * c.growthSeconds() / c.created(), c.created(), c.growthSeconds());
        }
    }

    private static Stats stats(Count c, String id) {
        return OrchestrationReport.find(c.series(), id).stats(Stats.TOTAL);
    }

    /** Adds {@code "byCount": [{count, growth, series, ratios}]} to {@code root}. */
    void toJson(ObjectNode root) {
        ArrayNode a = root.putArray("byCount");
        for (Count c : counts) {
            ObjectNode n = a.addObject();
            n.put("checkpoints", c.count());
            ObjectNode g = n.putObject("growth");
            g.put("created", c.created());
            g.put("seconds", Report.round(c.growthSeconds()));
            g.put("meanSecondsPerCreate", Report.round(c.growthSeconds() / c.created()));
            n.set("series", Report.series(c.series()));
            ObjectNode r = n.putObject("ratios");
            REFERENCE.forEach((op, ref) -> r.put(op + " / " + ref, Report.round(stats(c, op).ratio(stats(c, ref)))));
        }
    }
}
