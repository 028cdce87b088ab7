// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code benchmark push [options]}: generates the source disk, starts QEMU, times every method in alternating
 * order (warm-up rounds first, the first round verified against the source), optionally runs the incremental
 * scenario, prints the table and writes the JSON. Exit code 0 on success, 1 on a failure, 2 on bad usage.
 */
public final class Main {
    private static final String USAGE = """
            usage: benchmark push [--size-mib N] [--runs N] [--warmup N] [--seed N] [--workdir DIR]
                                  [--results DIR] [--xperf K=V[,K=V]]... [--no-xperf] [--no-incremental]
              --size-mib N       virtual size of the source disk (default 1024; at least half becomes data)
              --runs N           counted runs per method (default 5)
              --warmup N         uncounted rounds first; the first round is verified (default 1)
              --workdir DIR      parent of the temporary directory (default /var/tmp)
              --results DIR      where push-<date>.json goes (default benchmarks/results)
              --xperf SPEC       an extra libvirt-options row with blockdev-backup x-perf SPEC, e.g.
                                 use-copy-range=true or max-chunk=65536; repeatable (default: one row
                                 each for use-copy-range=true, max-workers=8, max-chunk=65536)
              --no-xperf         no x-perf rows
              --no-incremental   skip the incremental scenario
            """;

    private Main() {
    }

    /** The options, with their defaults. */
    record Options(long sizeMib, int runs, int warmup, long seed, Path workdir, Path results, List<String> xPerf,
            boolean incremental) {
        static final List<String> DEFAULT_XPERF = List.of("use-copy-range=true", "max-workers=8", "max-chunk=65536");

        static Options parse(String[] args) {
            if (args.length == 0 || !args[0].equals("push")) {
                throw new IllegalArgumentException("the benchmarks are 'push', 'pull', 'orchestration', 'checkpoints', 'cli',"
                        + " 'libvirt', 'repo' and 'xml'");
            }
            long size = 1024;
            int runs = 5;
            int warmup = 1;
            long seed = 42;
            Path workdir = Path.of("/var/tmp");
            Path results = Path.of("benchmarks", "results");
            List<String> xperf = null;
            boolean incremental = true;
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--size-mib" -> size = Long.parseLong(value(args, ++i, a));
                    case "--runs" -> runs = Integer.parseInt(value(args, ++i, a));
                    case "--warmup" -> warmup = Integer.parseInt(value(args, ++i, a));
                    case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
                    case "--workdir" -> workdir = Path.of(value(args, ++i, a));
                    case "--results" -> results = Path.of(value(args, ++i, a));
                    case "--xperf" -> {
                        xperf = xperf == null ? new ArrayList<>() : xperf;
                        xperf.add(value(args, ++i, a));
                    }
                    case "--no-xperf" -> xperf = new ArrayList<>();
                    case "--no-incremental" -> incremental = false;
                    default -> throw new IllegalArgumentException("unknown option '" + a + "'");
                }
            }
            if (size < 1 || runs < 1 || warmup < 1) {
                throw new IllegalArgumentException("--size-mib, --runs and --warmup must be at least 1");
            }
            return new Options(size, runs, warmup, seed, workdir, results,
                    List.copyOf(xperf == null ? DEFAULT_XPERF : xperf), incremental);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException("option '" + option + "' needs a value");
            }
            return args[i];
        }
    }

    public static void main(String[] args) {
        String name = args.length > 0 ? args[0] : "";
        switch (name) {
            case "pull" -> {
                PullBenchmark.main(args);
                return;
            }
            case "orchestration" -> {
                OrchestrationBenchmark.main(args);
                return;
            }
            case "checkpoints" -> {
                CheckpointBenchmark.main(args);
                return;
            }
            case "libvirt" -> {
                LibvirtBenchmark.main(args);
                return;
            }
            case "cli" -> {
                CliBenchmark.main(args);
                return;
            }
            case "repo" -> {
                RepoBenchmark.main(args);
                return;
            }
            case "xml" -> {
                runXml(args);
                return;
            }
            default -> {
            }
        }
        Options o;
        try {
            o = Options.parse(args);
            o.xPerf().forEach(LibvirtPush::parseXPerf);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        try {
            run(o);
        } catch (Exception e) {
            System.err.println("error: benchmark failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void runXml(String[] args) {
        try {
            XmlBench.main(args);
        } catch (Exception e) {
            System.err.println("error: benchmark failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(Options o) throws Exception {
        long t0 = System.nanoTime();
        MachineInfo machine = MachineInfo.probe(o.workdir());
        System.out.printf("machine: %d CPUs (%s), %d MiB, %s, %s, load %s%n", machine.nproc(), machine.cpuModel(),
                machine.memTotalKib() / 1024, machine.kernel(), machine.qemuVersion(), machine.loadAverage());
        System.out.printf("generating a %d MiB source disk in %s ...%n", o.sizeMib(), o.workdir());
        Fixture f = Fixture.create(o.workdir(), o.sizeMib() << 20, o.seed());
        Thread hook = new Thread(f::close, "benchmark-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        Report report;
        try {
            List<PushMethod> methods = new ArrayList<>(List.of(new OursPush(f, false), new OursPush(f, true),
                    new ConvertPush(f), new LibvirtPush(f, Optional.empty())));
            for (String x : o.xPerf()) {
                methods.add(new LibvirtPush(f, Optional.of(LibvirtPush.parseXPerf(x))));
            }
            List<Series> full = FullScenario.run(f, methods, o.warmup(), o.runs());
            List<Series> inc = o.incremental() ? new IncrementalScenario(f).run(o.warmup(), o.runs()) : List.of();
            report = new Report(f.sourceInfo, full, inc);
        } finally {
            f.close();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        report.print(System.out);
        Path json = o.results().resolve("push-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".json");
        report.writeJson(json, machine, config(o), elapsed);
        System.out.printf("%nresults: %s (%.0f s, QEMU stopped, %s removed)%n", json.toAbsolutePath(), elapsed,
                f.dir);
    }

    private static Map<String, Object> config(Options o) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("sizeMiB", o.sizeMib());
        c.put("runs", o.runs());
        c.put("warmup", o.warmup());
        c.put("seed", o.seed());
        c.put("workdir", o.workdir().toString());
        c.put("xPerf", o.xPerf());
        c.put("incremental", o.incremental());
        return c;
    }
}
