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
 * The side-by-side figures: per step and lap each side's median, our QEMU driver's time over libvirt's API time
 * (libvirt-java's calls) and our libvirt driver's over libvirt-java's (its overhead, near 1.0 when it adds
 * nothing), the push throughputs, and issue 12's goals with whether each was reached.
 */
final class LibvirtReport {
    static final String OURS = "ours";
    static final String DRIVER = "libvirt-driver";
    static final String LIBVIRT = "libvirt-java";
    static final List<String> SIDES = List.of(OURS, DRIVER, LIBVIRT);
    private static final double MIB = 1 << 20;

    private final Map<String, Map<String, Series>> steps = new LinkedHashMap<>();
    private final long pushBytes;
    private final List<LibvirtGoal> goals;

    /**
     * @param pushBytes the virtual bytes a full push copies (every disk), for the throughput
     * @param goals the goals to report against
     */
    LibvirtReport(long pushBytes, List<LibvirtGoal> goals) {
        this.pushBytes = pushBytes;
        this.goals = List.copyOf(goals);
        for (String step : LibvirtSteps.ALL) {
            Map<String, Series> bySide = new LinkedHashMap<>();
            SIDES.forEach(side -> bySide.put(side, new Series(step + "/" + side, step + " through " + side)));
            steps.put(step, bySide);
        }
    }

    /** Records one counted run of {@code step} on {@code side}. */
    void add(String step, String side, Map<String, Double> laps) {
        Map<String, Series> bySide = steps.get(step);
        if (bySide == null || !bySide.containsKey(side)) {
            throw new IllegalArgumentException("unknown step '" + step + "' or side '" + side + "'");
        }
        bySide.get(side).add(laps);
    }

    Stats stats(String step, String side, String phase) {
        return steps.get(step).get(side).stats(phase);
    }

    /** {@code side}'s median over {@code reference}'s, for {@code step}'s {@code phase}. */
    double ratio(String step, String phase, String side, String reference) {
        return stats(step, side, phase).ratio(stats(step, reference, phase));
    }

    /** MiB/s of a full push on {@code side}: every disk's virtual size over the median total. */
    double pushThroughput(String side) {
        return pushBytes / MIB / stats(LibvirtSteps.PUSH_FULL, side, Stats.TOTAL).median();
    }

    /** Each goal's ratio, in the goals' order. */
    List<Double> goalRatios() {
        List<Double> r = new ArrayList<>();
        for (LibvirtGoal g : goals) {
            r.add(g.ratio(stats(g.step(), OURS, g.phase()), stats(g.step(), LIBVIRT, g.phase())));
        }
        return List.copyOf(r);
    }

    void print(PrintStream out) {
        out.printf("%nside by side with libvirt, milliseconds (median; spread = (max-min)/median);%n"
                + "ours/libvirt = our QEMU driver over libvirt-java, driver/libvirt = our libvirt driver over"
                + " libvirt-java:%n");
        out.printf("%-18s %-6s %3s %16s %16s %16s %13s %14s%n", "step", "lap", "n", OURS, DRIVER, LIBVIRT,
                "ours/libvirt", "driver/libvirt");
        steps.forEach((step, bySide) -> {
            for (String phase : bySide.get(OURS).phases()) {
                StringBuilder cells = new StringBuilder();
                for (String side : SIDES) {
                    Stats s = stats(step, side, phase);
                    cells.append(String.format(" %9.2f (%3.0f%%)", 1000 * s.median(), 100 * s.spread()));
                }
                out.printf("%-18s %-6s %3d%s %13.2f %14.2f%n", step, phase, stats(step, OURS, phase).n(), cells,
                        ratio(step, phase, OURS, LIBVIRT), ratio(step, phase, DRIVER, LIBVIRT));
            }
        });
        out.printf("push full throughput, MiB/s of virtual size: ours %.0f, libvirt-driver %.0f, libvirt-java %.0f%n",
                pushThroughput(OURS), pushThroughput(DRIVER), pushThroughput(LIBVIRT));
        out.printf("%ngoals (issue 12; ratios of medians, ours against libvirt-java):%n");
        List<Double> ratios = goalRatios();
        for (int i = 0; i < goals.size(); i++) {
            LibvirtGoal g = goals.get(i);
            String verdict = g.met(ratios.get(i)) ? "reached" : "NOT reached";
            out.printf("  %-45s %6.2f  %s%n", g.text(), ratios.get(i), verdict);
        }
    }

    /** Adds {@code steps}, {@code ratios}, {@code throughputMiBps} and {@code goals} to {@code root}. */
    void toJson(ObjectNode root) {
        ObjectNode s = root.putObject("steps");
        steps.forEach((step, bySide) -> s.set(step, Report.series(List.copyOf(bySide.values()))));
        ObjectNode r = root.putObject("ratios");
        steps.forEach((step, bySide) -> {
            for (String phase : bySide.get(OURS).phases()) {
                r.put(step + " " + phase + ": ours/libvirt-java", Report.round(ratio(step, phase, OURS, LIBVIRT)));
                r.put(step + " " + phase + ": libvirt-driver/libvirt-java",
                        Report.round(ratio(step, phase, DRIVER, LIBVIRT)));
            }
        });
        ObjectNode t = root.putObject("throughputMiBps");
        SIDES.forEach(side -> t.put(side, Math.round(pushThroughput(side))));
        ArrayNode g = root.putArray("goals");
        List<Double> ratios = goalRatios();
        for (int i = 0; i < goals.size(); i++) {
            ObjectNode n = g.addObject();
            n.put("goal", goals.get(i).text());
            n.put("ratio", Report.round(ratios.get(i)));
            n.put("reached", goals.get(i).met(ratios.get(i)));
        }
    }
}
