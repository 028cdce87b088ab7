// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.qemu.plan.Qmp;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpCommand;

/**
 * {@code benchmark orchestration}: for each disk count, one QEMU with that many small disks, and per round (the
 * order rotates) four methods, each timed from its first command:
 * <ul>
 *   <li>{@code ours-pull}: {@code backupStart} of a pull (fleecing) of every disk; laps {@code start} (the call
 *       returned), {@code running} (every job reports {@code running}, polled on QEMU's private monitor), then
 *       {@code end}: the duration of {@code backupEnd} on the running jobs;</li>
 *   <li>{@code ours-pull-held}: the same with the driver option {@code qmpHold=connection}: the connection stays
 *       connected to the QMP socket from open to close, as libvirt's monitor does (like for like with
 *       {@code libvirt-pull}, whose channel is connected before the clock); the default connects per operation,
 *       so that other clients get the socket between them;</li>
 *   <li>{@code ours-push}: the same as {@code ours-pull} with a push to new qcow2 files, the connection's {@code backupSpeed} keeping
 *       the jobs running, so {@code backupEnd} cancels running jobs and deletes the targets;</li>
 *   <li>{@code libvirt-pull}: {@link LibvirtPull}'s QMP on a raw channel, the same laps;</li>
 *   <li>{@code query-status}: N round trips of {@code query-status} on a raw channel: the bare cost of N
 *       commands.</li>
 * </ul>
 * Connections and channels are opened before the clock and closed after it. Round 0 is checked: every
 * method leaves no job and no extra node behind, and the pulls export every disk.
 */
final class OrchestrationBenchmark {
    static final String OURS_PULL = "ours-pull";
    static final String OURS_PULL_HELD = "ours-pull-held";
    static final String OURS_PUSH = "ours-push";
    static final String LIBVIRT_PULL = "libvirt-pull";
    static final String QUERY_STATUS = "query-status";
    static final String START = "start";
    static final String RUNNING = "running";
    static final String END = "end";

    static final Map<String, String> DEFAULTS = Map.of("disks", "1,4,16", "runs", "5", "warmup", "1", "size-mib",
            "64", "speed", "1048576", "seed", "42", "workdir", "/var/tmp", "results", "benchmarks/results");
    static final String USAGE = """
            usage: benchmark orchestration [--disks 1,4,16] [--runs 5] [--warmup 1] [--size-mib 64]
                                           [--speed 1048576] [--workdir /var/tmp] [--results benchmarks/results]
              --disks LIST   disk counts, one QEMU each
              --size-mib N   size of each disk (a generated image, copied)
              --speed N      backupSpeed of the push rows, bytes per second per disk (keeps the jobs running)
            """;

    private final DiskSet d;
    private final long speed;
    private final LibvirtPull libvirt;
    private int baselineNodes;
    /** QMP commands of each method's start: our plan (backupDryRun), libvirt's sequence as sent. */
    private final Map<String, Integer> commands = new LinkedHashMap<>();

    private OrchestrationBenchmark(DiskSet d, long speed) {
        this.d = d;
        this.speed = speed;
        this.libvirt = new LibvirtPull(d);
    }

    static void main(String[] args) {
        BenchMain.run(args, DEFAULTS, USAGE, OrchestrationBenchmark::run);
    }

    private static void run(BenchOptions o, BenchMain.Out out) throws Exception {
        Map<Integer, List<Series>> byCount = new LinkedHashMap<>();
        Map<Integer, Map<String, Integer>> commands = new LinkedHashMap<>();
        for (int n : o.integers("disks", 1)) {
            System.out.printf("%d disk(s) of %d MiB ...%n", n, o.number("size-mib", 1));
            DiskSet d = out.track(DiskSet.create(o.path("workdir"), n, o.number("size-mib", 1) << 20,
                    o.number("seed", 0)));
            try {
                OrchestrationBenchmark b = new OrchestrationBenchmark(d, o.number("speed", 1));
                byCount.put(n, b.rounds(o.integer("warmup", 1), o.integer("runs", 1)));
                commands.put(n, Map.copyOf(b.commands));
            } finally {
                out.untrack(d);
            }
        }
        OrchestrationReport report = new OrchestrationReport(byCount, commands);
        report.print(System.out);
        out.write("orchestration", report::toJson);
    }

    private List<Series> rounds(int warmup, int runs) throws Exception {
        baselineNodes = nodeCount();
        List<String> ids = List.of(OURS_PULL, OURS_PULL_HELD, OURS_PUSH, LIBVIRT_PULL, QUERY_STATUS);
        List<Series> series = new ArrayList<>();
        ids.forEach(id -> series.add(new Series(id, describe(id))));
        for (int round = 0; round < warmup + runs; round++) {
            StringBuilder line = new StringBuilder("  " + d.names.size() + " disk(s), round " + round
                    + (round < warmup ? " (warm-up)" : "") + ":");
            for (int k = 0; k < ids.size(); k++) {
                int i = (k + round) % ids.size();
                Map<String, Double> laps = runOne(ids.get(i), round == 0);
                if (round >= warmup) {
                    series.get(i).add(laps);
                }
                line.append(String.format(" %s %.3f", ids.get(i), laps.get(Stats.TOTAL)));
            }
            System.out.println(line);
        }
        return series;
    }

    private static String describe(String id) {
        switch (id) {
            case OURS_PULL:
                return "virtbackup pull (fleecing): backupStart, backupEnd";
            case OURS_PULL_HELD:
                return "virtbackup pull (fleecing), qmpHold=connection: backupStart, backupEnd";
            case OURS_PUSH:
                return "virtbackup push with backupSpeed: backupStart, backupEnd (cancel)";
            case LIBVIRT_PULL:
                return "libvirt 9.0 pull QMP sequence, raw channel";
            default:
                return "N x query-status, raw channel";
        }
    }

    private Map<String, Double> runOne(String id, boolean check) throws Exception {
        Map<String, Double> laps;
        switch (id) {
            case OURS_PULL:
            case OURS_PULL_HELD:
            case OURS_PUSH:
                laps = ours(id, check);
                break;
            case LIBVIRT_PULL:
                laps = libvirt(check);
                break;
            default:
                laps = queryStatus();
        }
        if (check) {
            requireClean(id);
        }
        Fixture.deleteTree(d.dir.resolve("targets"));
        return laps;
    }

    private Map<String, Double> ours(String id, boolean check) {
        boolean push = id.equals(OURS_PUSH);
        Map<String, String> opts = push ? d.options("backupSpeed", Long.toString(speed))
                : d.options("pullMethod", "fleecing", "qmpHold", id.equals(OURS_PULL_HELD) ? "connection" : "operation");
        try (Connection conn = Connections.open(d.qemu.qmpUri("vm1"), opts)) {
            Domain dom = conn.domain();
            String xml = push ? BackupXmls.push(d.names, d.dir.resolve("targets")) : BackupXmls.pull(d.names,
                    d.dir.resolve("nbd.sock"), d.dir.resolve("targets"));
            Files.createDirectories(d.dir.resolve("targets"));
            if (check) { // untimed, in the warm-up round
                commands.put(id, dom.backupDryRun(xml, null, Set.of()).qmpPlan().size());
            }
            Stopwatch sw = Stopwatch.start();
            dom.backupStart(xml, null, Set.of());
            sw.lap(START);
            awaitRunning();
            sw.lap(RUNNING);
            if (check && !push) {
                requireExports();
            }

            Stopwatch end = Stopwatch.start();
            dom.backupEnd(Set.of());
            return withEnd(sw.laps(), end.lap(END).laps().get(END));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, Double> libvirt(boolean check) throws Exception {
        try (QmpChannel qmp = d.qemu.openQmp()) {
            Stopwatch sw = Stopwatch.start();
            libvirt.start(qmp, d.dir.resolve("libvirt-nbd.sock"));
            sw.lap(START);
            awaitRunning();
            sw.lap(RUNNING);
            if (check) {
                requireExports();
                commands.put(LIBVIRT_PULL, libvirt.startCommands());
            }
            Stopwatch end = Stopwatch.start();
            libvirt.end(qmp);
            Map<String, Double> laps = withEnd(sw.laps(), end.lap(END).laps().get(END));
            Files.deleteIfExists(d.dir.resolve("libvirt-nbd.sock"));
            return laps;
        }
    }

    private Map<String, Double> queryStatus() {
        try (QmpChannel qmp = d.qemu.openQmp()) {
            Stopwatch sw = Stopwatch.start();
            for (int i = 0; i < d.names.size(); i++) {
                qmp.execute(Qmp.queryStatus());
            }
            return sw.lap(Stats.TOTAL).laps();
        }
    }

    /** {@code laps} (start, running) plus {@code end}, and {@code total} = running + end. */
    private static Map<String, Double> withEnd(Map<String, Double> laps, double end) {
        Map<String, Double> m = new LinkedHashMap<>(laps);
        m.put(END, end);
        m.put(Stats.TOTAL, laps.get(RUNNING) + end);
        return m;
    }

    /** Polls {@code query-jobs} on the private monitor until one job per disk is {@code running}. */
    private void awaitRunning() {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            int running = 0;
            for (JsonNode j : d.qemu.control(Qmp.queryJobs())) {
                running += "running".equals(j.path("status").asText()) ? 1 : 0;
            }
            if (running >= d.names.size()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + running + " of " + d.names.size() + " jobs running");
            }
        }
    }

    private void requireExports() {
        int n = d.qemu.control(QmpCommand.of("query-block-exports")).size();
        if (n != d.names.size()) {
            throw new IllegalStateException(n + " NBD exports for " + d.names.size() + " disks");
        }
    }

    private void requireClean(String id) {
        int jobs = d.qemu.control(Qmp.queryJobs()).size();
        int nodes = nodeCount();
        if (jobs != 0 || nodes != baselineNodes) {
            throw new IllegalStateException("'" + id + "' left " + jobs + " job(s) and " + (nodes - baselineNodes)
                    + " extra node(s) behind");
        }
    }

    private int nodeCount() {
        return d.qemu.control(Qmp.queryNamedBlockNodes()).size();
    }
}
