// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;

/**
 * {@code benchmark cli}: fresh processes of the {@code ./virtbackup} launcher, as a user runs them, against the
 * floor of JVM start-up: {@link CliFloor}, a main that prints one line, started with the launcher's JVM options
 * (C1 only, serial GC, the class-data archive mapped where it was made) and the JDK's own class-data archive. Like
 * for like: both are one new JVM that prints and exits; what the launcher adds on top (bash, the jar's staleness
 * check, picocli, the verb's work) is the figure. Timed per round, floor first: {@code --version};
 * {@code checkpoint-list} on a domain with {@code --count} checkpoints on 2 disks; {@code backup-begin} (full push
 * of 2 disks, no XML) and then {@code backup-end --wait} on a second domain without checkpoints. With
 * {@code --baseline} the same processes of another checkout's launcher run in the same rounds, right after this
 * one's.
 */
final class CliBenchmark {
    static final Map<String, String> DEFAULTS = Map.of("runs", "9", "warmup", "1", "count", "1000", "size-mib", "16",
            "seed", "42", "workdir", "/var/tmp", "results", "benchmarks/results", "baseline", "");
    static final String USAGE = """
            usage: benchmark cli [--runs 9] [--warmup 1] [--count 1000] [--size-mib 16] [--workdir /var/tmp]
                                 [--results benchmarks/results] [--baseline PATH/TO/virtbackup]
              --count N          checkpoints of the domain checkpoint-list lists (created through the API, untimed)
              --baseline LAUNCHER  also time the same processes with another checkout's launcher (say, main's),
                                   in the same rounds; its rows are prefixed 'baseline: '
            """;
    static final String BASELINE = "baseline: ";
    static final String FLOOR = "floor: java main, launcher's JVM options";
    static final String VERSION = "virtbackup --version";
    static final String LIST = "virtbackup checkpoint-list";
    static final String BEGIN = "virtbackup backup-begin (2 disks)";
    static final String END = "virtbackup backup-end --wait";

    private CliBenchmark() {
    }

    static void main(String[] args) {
        BenchMain.run(args, DEFAULTS, USAGE, CliBenchmark::run);
    }

    private static void run(BenchOptions o, BenchMain.Out out) throws Exception {
        long size = o.number("size-mib", 1) << 20;
        DiskSet listed = out.track(DiskSet.create(o.path("workdir"), 2, size, o.number("seed", 0)));
        DiskSet backed = out.track(DiskSet.create(o.path("workdir"), 2, size, o.number("seed", 0)));
        int count = o.integer("count", 1);
        long t = System.nanoTime();
        try (Connection c = Connections.open(listed.qemu.qmpUri("vm1"), listed.options())) {
            Domain dom = c.domain();
            for (int i = 1; i <= count; i++) {
                dom.checkpointCreateXml(String.format("<domaincheckpoint><name>cp%05d</name></domaincheckpoint>", i),
                        Set.of());
            }
        }
        System.out.printf("%d checkpoints created in %.1f s (untimed)%n", count, (System.nanoTime() - t) / 1e9);
        List<Path> launchers = new ArrayList<>(List.of(Path.of("virtbackup").toAbsolutePath()));
        if (!o.string("baseline").isEmpty()) {
            launchers.add(o.path("baseline").toAbsolutePath());
        }
        Map<String, Series> series = new LinkedHashMap<>();
        series.put(FLOOR, new Series(FLOOR, FLOOR));
        for (Path launcher : launchers) {
            launcher(launcher, Map.of(), "--version"); // builds the jar and the archive when needed, untimed
            for (String id : List.of(VERSION, LIST, BEGIN, END)) {
                String name = prefix(launchers, launcher) + id;
                series.put(name, new Series(name, name));
            }
        }
        int warmup = o.integer("warmup", 0);
        for (int round = 0; round < warmup + o.integer("runs", 1); round++) {
            Map<String, Double> times = new LinkedHashMap<>();
            times.put(FLOOR, time(List.of("java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData",
                    "-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0", "-cp",
                    CliFloor.class.getProtectionDomain().getCodeSource().getLocation().getPath(),
                    CliFloor.class.getName()), Map.of()));
            for (Path launcher : launchers) {
                String p = prefix(launchers, launcher);
                times.put(p + VERSION, launcher(launcher, Map.of(), "--version"));
                times.put(p + LIST, launcher(launcher, env(listed), "checkpoint-list"));
                times.put(p + BEGIN, launcher(launcher, env(backed), "backup-begin"));
                times.put(p + END, launcher(launcher, env(backed), "backup-end", "--wait"));
                deleteTargets(backed);
            }
            if (round >= warmup) {
                times.forEach((id, v) -> series.get(id).add(Map.of(Stats.TOTAL, v)));
            }
            System.out.printf("  round %d%s: %s%n", round, round < warmup ? " (warm-up)" : "", format(times));
        }
        out.untrack(listed);
        out.untrack(backed);
        List<Series> all = List.copyOf(series.values());
        print(all);
        out.write("cli", root -> {
            root.set("series", Report.series(all));
            var r = root.putObject("ratios");
            Stats floor = series.get(FLOOR).stats(Stats.TOTAL);
            all.stream().skip(1).forEach(s -> r.put(s.id + " / floor", Report.round(s.stats(Stats.TOTAL).ratio(floor))));
        });
    }

    private static Map<String, String> env(DiskSet d) {
        return Map.of("VIRTBACKUP_DEFAULT_URI", d.qemu.qmpUri("vm1").toString(), "VIRTBACKUP_STATE_DIR",
                d.state.toString());
    }

    private static String prefix(List<Path> launchers, Path launcher) {
        return launcher.equals(launchers.get(0)) ? "" : BASELINE;
    }

    private static double launcher(Path launcher, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        return time(cmd, env);
    }

    /** Wall time of one process, which must exit 0 (its output goes to a temporary file, shown on failure). */
    private static double time(List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
        File log = File.createTempFile("virtbackup-bench-cli", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log);
            pb.environment().putAll(env);
            long t0 = System.nanoTime();
            Process p = pb.start();
            int code = p.waitFor();
            double s = (System.nanoTime() - t0) / 1e9;
            if (code != 0) {
                throw new IllegalStateException(cmd + " exited " + code + ": " + Files.readString(log.toPath()));
            }
            return s;
        } finally {
            log.delete();
        }
    }

    /** The targets backup-begin created next to the images ({@code vda.qcow2.<suffix>}). */
    private static void deleteTargets(DiskSet d) throws IOException {
        try (Stream<Path> files = Files.list(d.dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches("vd[a-z]\\.qcow2\\..+")).toList()) {
                Files.delete(f);
            }
        }
    }

    private static String format(Map<String, Double> times) {
        StringBuilder b = new StringBuilder();
        times.forEach((id, v) -> b.append(String.format("%s %.0f ms; ", id, 1000 * v)));
        return b.toString();
    }

    private static void print(List<Series> all) {
        Stats floor = all.get(0).stats(Stats.TOTAL);
        System.out.printf("%nfresh processes, wall seconds; ratio = median / floor median:%n");
        System.out.printf("%-45s %3s %9s %7s %7s %7s %7s%n", "process", "n", "median s", "min", "max", "spread", "ratio");
        for (Series s : all) {
            Stats st = s.stats(Stats.TOTAL);
            System.out.printf("%-45s %3d %9.3f %7.3f %7.3f %6.0f%% %7.2f%n", s.id, st.n(), st.median(), st.min(), st.max(),
                    100 * st.spread(), st.ratio(floor));
        }
    }
}
