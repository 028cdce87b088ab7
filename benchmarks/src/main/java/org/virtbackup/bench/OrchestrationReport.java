// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * The orchestration figures per disk count: medians and spreads of {@code start}, {@code running} and
 * {@code end}, and ratios against {@code libvirt-pull} (same laps) and against N {@code query-status} round
 * trips, all of the same run.
 */
final class OrchestrationReport {
    private static final List<String> PHASES = List.of(OrchestrationBenchmark.START, OrchestrationBenchmark.RUNNING,
            OrchestrationBenchmark.END);

    private final Map<Integer, List<Series>> byCount;
    private final Map<Integer, Map<String, Integer>> commands;

    /** @param commands per disk count, the QMP commands of each method's start plan */
    OrchestrationReport(Map<Integer, List<Series>> byCount, Map<Integer, Map<String, Integer>> commands) {
        this.byCount = Map.copyOf(byCount);
        this.commands = Map.copyOf(commands);
    }

    void print(PrintStream out) {
        out.printf("%norchestration, seconds (median, spread = (max-min)/median), ratios of medians:%n");
        out.printf("%5s %-14s %3s %15s %15s %15s %9s %9s %9s %10s%n", "disks", "method", "n", "start", "running",
                "end", "run/lv", "end/lv", "start/lv", "run/N*qs");
        byCount.keySet().stream().sorted().forEach(n -> {
            List<Series> list = byCount.get(n);
            Series libvirt = find(list, OrchestrationBenchmark.LIBVIRT_PULL);
            Stats qs = find(list, OrchestrationBenchmark.QUERY_STATUS).stats(Stats.TOTAL);
            for (Series s : list) {
                if (s.id.equals(OrchestrationBenchmark.QUERY_STATUS)) {
                    out.printf("%5d %-14s %3d %15s %48s%n", n, s.id, qs.n(), cell(qs), "(reference: N round trips)");
                    continue;
                }
                out.printf("%5d %-14s %3d", n, s.id, s.stats(Stats.TOTAL).n());
                PHASES.forEach(p -> out.printf(" %15s", cell(s.stats(p))));
                out.printf(" %9.2f %9.2f %9.2f %10.1f%n", ratio(s, libvirt, OrchestrationBenchmark.RUNNING),
                        ratio(s, libvirt, OrchestrationBenchmark.END), ratio(s, libvirt, OrchestrationBenchmark.START),
                        s.stats(OrchestrationBenchmark.RUNNING).ratio(qs));
            }
            out.printf("%5d QMP commands of the start plan: %s%n", n, commands.get(n));
        });
    }

    private static String cell(Stats s) {
        return String.format("%.4f ±%3.0f%%", s.median(), 100 * s.spread());
    }

    private static double ratio(Series s, Series reference, String phase) {
        return s.stats(phase).ratio(reference.stats(phase));
    }

    /** Adds {@code "byDiskCount": [{disks, series, ratios}]} to {@code root}. */
    void toJson(ObjectNode root) {
        ArrayNode counts = root.putArray("byDiskCount");
        byCount.keySet().stream().sorted().forEach(n -> {
            List<Series> list = byCount.get(n);
            ObjectNode c = counts.addObject();
            c.put("disks", n);
            c.set("series", Report.series(list));
            ObjectNode cmds = c.putObject("qmpCommandsOfStartPlan");
            commands.getOrDefault(n, Map.of()).forEach(cmds::put);
            ObjectNode ratios = c.putObject("ratios");
            Series libvirt = find(list, OrchestrationBenchmark.LIBVIRT_PULL);
            Stats qs = find(list, OrchestrationBenchmark.QUERY_STATUS).stats(Stats.TOTAL);
            for (String id : List.of(OrchestrationBenchmark.OURS_PULL, OrchestrationBenchmark.OURS_PUSH)) {
                Series s = find(list, id);
                ObjectNode r = ratios.putObject(id);
                PHASES.forEach(p -> r.put(p + "OverLibvirtPull", Report.round(ratio(s, libvirt, p))));
                r.put("runningOverNQueryStatus", Report.round(s.stats(OrchestrationBenchmark.RUNNING).ratio(qs)));
                r.put("endOverNQueryStatus", Report.round(s.stats(OrchestrationBenchmark.END).ratio(qs)));
            }
            ObjectNode lv = ratios.putObject(OrchestrationBenchmark.LIBVIRT_PULL);
            lv.put("runningOverNQueryStatus", Report.round(libvirt.stats(OrchestrationBenchmark.RUNNING).ratio(qs)));
            lv.put("endOverNQueryStatus", Report.round(libvirt.stats(OrchestrationBenchmark.END).ratio(qs)));
        });
    }

    static Series find(List<Series> list, String id) {
        return list.stream().filter(s -> s.id.equals(id)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no series '" + id + "'"));
    }
}
