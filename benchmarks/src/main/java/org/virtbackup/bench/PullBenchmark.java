// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;

/**
 * {@code benchmark pull [--size-mib N] [--runs N] [--writes N] [--workdir DIR] [--results DIR]}: per run and pull
 * method (fleecing, cbw), a full pull with a checkpoint, then an incremental pull since it. Measures, in the same
 * run: {@code nbdcopy} throughput from our full export and from {@code qemu-nbd -r} serving a copy of the same
 * image; guest write throughput (N fresh 1 MiB writes through the device) with no backup and during each pull;
 * scratch bytes allocated after those writes. Medians over the runs, ratios against the references.
 */
final class PullBenchmark {
    private static final String USAGE = """
            usage: benchmark pull [--size-mib N] [--runs N] [--writes N] [--seed N] [--workdir DIR] [--results DIR]
              --size-mib N   virtual size of the source disk (default 512)
              --runs N       rounds; each does fleecing and cbw, full and incremental (default 3)
              --writes N     1 MiB guest writes timed per measurement, at fresh offsets (default 48)
            """;
    private static final long MIB = 1 << 20;
    private static final List<String> METHODS = List.of("fleecing", "cbw");

    private final Fixture f;
    private final int writes;
    private final Random random;
    private final Map<String, List<Double>> samples = new LinkedHashMap<>();

    private PullBenchmark(Fixture f, int writes, long seed) {
        this.f = f;
        this.writes = writes;
        this.random = new Random(seed);
    }

    static void main(String[] args) {
        long size = 512;
        int runs = 3;
        int writes = 48;
        long seed = 42;
        Path workdir = Path.of("/var/tmp");
        Path results = Path.of("benchmarks", "results");
        try {
            for (int i = 1; i < args.length; i++) {
                String v = i + 1 < args.length ? args[i + 1] : null;
                if (v == null) {
                    throw new IllegalArgumentException("option '" + args[i] + "' needs a value");
                }
                switch (args[i++]) {
                    case "--size-mib" -> size = Long.parseLong(v);
                    case "--runs" -> runs = Integer.parseInt(v);
                    case "--writes" -> writes = Integer.parseInt(v);
                    case "--seed" -> seed = Long.parseLong(v);
                    case "--workdir" -> workdir = Path.of(v);
                    case "--results" -> results = Path.of(v);
                    default -> throw new IllegalArgumentException("unknown option '" + args[i - 1] + "'");
                }
            }
            if (size < 64 || runs < 1 || writes < 1 || writes > size / 4) {
                throw new IllegalArgumentException("need --size-mib >= 64, --runs >= 1, 1 <= --writes <= size/4");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        try {
            run(size, runs, writes, seed, workdir, results);
        } catch (Exception e) {
            System.err.println("error: benchmark failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(long sizeMib, int runs, int writes, long seed, Path workdir, Path results)
            throws Exception {
        long t0 = System.nanoTime();
        MachineInfo machine = MachineInfo.probe(workdir);
        System.out.printf("machine: %d CPUs, %s, load %s%n", machine.nproc(), machine.qemuVersion(),
                machine.loadAverage());
        Fixture f = Fixture.create(workdir, sizeMib << 20, seed);
        Thread hook = new Thread(f::close, "benchmark-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        PullBenchmark b = new PullBenchmark(f, writes, seed);
        try {
            for (int r = 0; r < runs; r++) {
                b.round(r);
            }
        } finally {
            f.close();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        Map<String, Object> out = b.summary(sizeMib);
        Map<String, Object> config = new LinkedHashMap<>(Map.of("sizeMiB", sizeMib, "runs", runs, "writesMiB",
                writes, "seed", seed, "workdir", workdir.toString()));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("scenario", "pull");
        json.put("machine", machine);
        json.put("config", config);
        json.put("medians", out);
        json.put("samples", b.samples);
        json.put("elapsedSeconds", (System.nanoTime() - t0) / 1e9);
        Files.createDirectories(results);
        Path file = results.resolve("pull-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern(
                "yyyyMMdd-HHmmss")) + ".json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
        out.forEach((k, v) -> System.out.printf("%-44s %s%n", k, v));
        System.out.printf("%nresults: %s (QEMU stopped, %s removed)%n", file.toAbsolutePath(), f.dir);
    }

    /** One round: the references, then each method's full and incremental pull. */
    private void round(int r) throws Exception {
        record("guest-write-MiBps/no-backup", guestWrites());
        record("nbdcopy-MiBps/qemu-nbd", qemuNbdCopy());
        for (String method : METHODS) {
            String cp = method + "-cp" + r;
            try (Connection conn = open(method)) {
                Domain dom = conn.domain();
                Path socket = f.dir.resolve("nbd.sock");
                Path scratch = f.dir.resolve("scratch.qcow2");
                dom.backupStart(pullXml(null, socket, scratch), OursPush.checkpointXml(cp), Set.of());
                record("nbdcopy-MiBps/" + method + "-full", nbdcopy("nbd+unix:///vda?socket=" + socket));
                record("guest-write-MiBps/" + method + "-full", guestWrites());
                record("scratch-MiB/" + method + "-full", allocated(scratch) / (double) MIB);
                dom.backupEnd(Set.of());
                guestWrites(); // dirty the disk since cp
                dom.backupStart(pullXml(cp, socket, scratch), null, Set.of());
                record("guest-write-MiBps/" + method + "-incremental", guestWrites());
                record("scratch-MiB/" + method + "-incremental", allocated(scratch) / (double) MIB);
                dom.backupEnd(Set.of());
            }
        }
        System.out.printf("round %d done%n", r + 1);
    }

    private Connection open(String method) {
        return Connections.open(f.qemu.qmpUri(Fixture.DOMAIN), Map.of("stateDir", f.state.toString(),
                "pullMethod", method));
    }

    private static String pullXml(String since, Path socket, Path scratch) {
        return "<domainbackup mode='pull'>" + (since == null ? "" : "<incremental>" + since + "</incremental>")
                + "<server transport='unix' socket='" + socket + "'/><disks><disk name='" + Fixture.DISK
                + "' type='file'><scratch file='" + scratch + "'/></disk></disks></domainbackup>";
    }

    /** {@code writes} 1 MiB guest writes at distinct random MiB offsets; MiB/s. */
    private double guestWrites() {
        int slots = (int) (f.sourceInfo.virtualSize() / MIB);
        List<Integer> offsets = new ArrayList<>();
        while (offsets.size() < writes) {
            int o = random.nextInt(slots);
            if (!offsets.contains(o)) {
                offsets.add(o);
            }
        }
        long t = System.nanoTime();
        for (int o : offsets) {
            f.qemu.guestWrite(Fixture.DISK, o * MIB, MIB, random.nextInt(256));
        }
        return writes / ((System.nanoTime() - t) / 1e9);
    }

    /** {@code nbdcopy URI null:} of the whole disk; MiB/s of virtual size. */
    private double nbdcopy(String uri) throws IOException, InterruptedException {
        long t = System.nanoTime();
        Commands.run("nbdcopy", uri, "null:");
        return f.sourceInfo.virtualSize() / (double) MIB / ((System.nanoTime() - t) / 1e9);
    }

    /** {@code qemu-nbd -r} serving a copy of the source (flushed first), read by nbdcopy; MiB/s. */
    private double qemuNbdCopy() throws IOException, InterruptedException {
        f.flush();
        Path copy = f.dir.resolve("reference.qcow2");
        Path socket = f.dir.resolve("qemu-nbd.sock");
        Commands.run("cp", "--sparse=always", f.source.toString(), copy.toString());
        Process p = new ProcessBuilder("qemu-nbd", "-r", "-f", "qcow2", "-k", socket.toString(), "-x", "vda",
                copy.toString()).redirectErrorStream(true).redirectOutput(f.dir.resolve("qemu-nbd.log").toFile())
                .start();
        try {
            for (int i = 0; i < 100 && !Files.exists(socket); i++) {
                Thread.sleep(20);
            }
            return nbdcopy("nbd+unix:///vda?socket=" + socket);
        } finally {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
            Files.deleteIfExists(copy);
            Files.deleteIfExists(socket);
        }
    }

    /** Allocated bytes of a file ({@code du -B1}). */
    private static long allocated(Path file) throws IOException, InterruptedException {
        return Long.parseLong(Commands.run("du", "-B1", file.toString()).split("\\s+")[0]);
    }

    private void record(String key, double value) {
        samples.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }

    private Map<String, Object> summary(long sizeMib) {
        Map<String, Object> m = new LinkedHashMap<>();
        samples.forEach((k, v) -> m.put(k, round(Stats.of(v).median())));
        for (String method : METHODS) {
            m.put("ratio nbdcopy " + method + "-full / qemu-nbd", ratio("nbdcopy-MiBps/" + method + "-full",
                    "nbdcopy-MiBps/qemu-nbd"));
            for (String kind : List.of("full", "incremental")) {
                m.put("ratio guest-write " + method + "-" + kind + " / no-backup", ratio("guest-write-MiBps/"
                        + method + "-" + kind, "guest-write-MiBps/no-backup"));
            }
        }
        return m;
    }

    private double ratio(String a, String b) {
        return round(Stats.of(samples.get(a)).median() / Stats.of(samples.get(b)).median());
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
