// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.virtbackup.api.CheckpointDeleteFlag;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.nbd.Extent;
import org.virtbackup.nbd.MetaContext;
import org.virtbackup.nbd.NbdBuffer;
import org.virtbackup.nbd.NbdConnection;
import org.virtbackup.nbd.ParallelRanges;
import org.virtbackup.nbd.QemuNbdServer;
import org.virtbackup.repository.BackupRequest;
import org.virtbackup.repository.Level;
import org.virtbackup.repository.Point;
import org.virtbackup.repository.RepoBackup;
import org.virtbackup.repository.RepoRestore;
import org.virtbackup.repository.Repository;

/**
 * {@code benchmark repo [--size-mib N] [--runs N] [--write-percent P] [--workdir DIR] [--results DIR]}: issue 13's
 * four comparisons on one QEMU disk with at least half data, each run in alternating order:
 * <ol>
 *   <li>{@code reader}: our reader (four libnbd connections, allocated extents only, into memory) against
 *       {@code nbdcopy EXPORT null:} of the same pull export;</li>
 *   <li>{@code full}: {@code repo backup --level full} end to end against a pull backup copied by
 *       {@code nbdcopy --flush} into a new qcow2 served by {@code qemu-nbd} (both including backup start and end);
 *   </li>
 *   <li>{@code incremental}: {@code repo backup} after P % of the disk was written (1 MiB guest writes at random
 *       offsets), as a fraction of the full's time;</li>
 *   <li>{@code restore}: {@code repo restore --format qcow2} of that incremental against {@code qemu-img convert}
 *       of the same chain.</li>
 * </ol>
 * Each step starts after a {@code sync} of what the step before wrote. Medians over the counted runs; ratios
 * are ours over the reference (below 1 is faster).
 */
final class RepoBenchmark {
    private static final String USAGE = """
            usage: benchmark repo [--size-mib N] [--runs N] [--warmup N] [--write-percent P] [--seed N]
                                  [--workdir DIR] [--results DIR]
              --size-mib N        virtual size of the source disk (default 1024; at least half becomes data)
              --runs N            counted rounds (default 3)
              --warmup N          uncounted rounds first (default 1)
              --write-percent P   share of the disk written before the incremental (default 2)
            """;
    static final Map<String, String> DEFAULTS = Map.of("size-mib", "1024", "runs", "3", "warmup", "1", "write-percent", "2",
            "seed", "42", "workdir", "/var/tmp", "results", "benchmarks/results");
    private static final long MIB = 1 << 20;

    private final Fixture f;
    private final int writePercent;
    private final Random random;
    private final Map<String, List<Double>> samples = new LinkedHashMap<>();
    /** Whether this round's times are recorded (not a warm-up round). */
    private boolean counted;

    private RepoBenchmark(Fixture f, int writePercent, long seed) {
        this.f = f;
        this.writePercent = writePercent;
        this.random = new Random(seed);
    }

    static void main(String[] args) {
        BenchMain.run(args, DEFAULTS, USAGE, RepoBenchmark::run);
    }

    private static void run(BenchOptions o, BenchMain.Out out) throws Exception {
        int percent = o.integer("write-percent", 1);
        if (percent > 50) {
            throw new IllegalArgumentException("option '--write-percent' must be at most 50");
        }
        Fixture f = out.track(Fixture.create(o.path("workdir"), o.number("size-mib", 64) << 20, o.number("seed", 0)));
        RepoBenchmark b = new RepoBenchmark(f, percent, o.number("seed", 0));
        int warmup = o.integer("warmup", 0);
        for (int r = 0, runs = o.integer("runs", 1); r < warmup + runs; r++) {
            b.counted = r >= warmup;
            b.round(r);
        }
        out.untrack(f);
        Map<String, Object> medians = b.medians();
        System.out.printf("%nsource: %d MiB virtual, %.0f MiB data%n", f.sourceInfo.virtualSize() >> 20,
                f.sourceInfo.dataBytes() / (double) MIB);
        medians.forEach((k, v) -> System.out.printf("%-66s %s%n", k, v));
        ObjectMapper json = new ObjectMapper();
        out.write("repo", root -> {
            root.putObject("source").put("virtualSize", f.sourceInfo.virtualSize())
                    .put("dataBytes", f.sourceInfo.dataBytes());
            root.set("medians", json.valueToTree(medians));
            root.set("samples", json.valueToTree(b.samples));
        });
    }

    /** One round: every comparison, ours and the reference in alternating order. */
    private void round(int r) throws Exception {
        boolean oursFirst = r % 2 == 0;
        try (Connection conn = Connections.open(f.qemu.qmpUri(Fixture.DOMAIN), Map.of("stateDir",
                f.state.toString()))) {
            Domain dom = conn.domain();
            for (boolean ours : oursFirst ? List.of(true, false) : List.of(false, true)) {
                record(ours ? "reader-s/ours" : "reader-s/nbdcopy-null", ours ? ourReader(dom) : nbdcopyNull(dom));
                record(ours ? "full-s/repo-backup" : "full-s/nbdcopy-qemu-nbd", ours ? repoFull(dom) : nbdcopyQcow2(dom));
            }
            Path repoDir = f.dir.resolve("repo");
            Repository repo = Repository.create(repoDir);
            new RepoBackup(repo, Clock.systemUTC(), l -> { }).run(dom, BackupRequest.of(Level.FULL));
            writeShare();
            Commands.run("sync");
            long t = System.nanoTime();
            Point inc = new RepoBackup(repo, Clock.systemUTC(), l -> { }).run(dom, BackupRequest.of(Level.INC));
            record("incremental-s/repo-backup", seconds(t));
            for (boolean ours : oursFirst ? List.of(true, false) : List.of(false, true)) {
                Path out = f.dir.resolve("restored");
                Fixture.deleteTree(out);
                t = System.nanoTime();
                if (ours) {
                    RepoRestore.restore(repo, out, Optional.of(inc.name()), List.of(), "qcow2", l -> { });
                } else {
                    Files.createDirectories(out);
                    Commands.run("qemu-img", "convert", "-f", "qcow2", "-O", "qcow2",
                            inc.file(inc.manifest().disks().get(0)).toString(), out.resolve("vda.qcow2").toString());
                }
                record(ours ? "restore-s/repo-restore" : "restore-s/qemu-img-convert", seconds(t));
            }
            Fixture.deleteTree(f.dir.resolve("restored"));
            Fixture.deleteTree(repoDir);
            deleteCheckpoints(dom);
        }
        f.discard();
        System.out.printf("round %d done%s%n", r + 1, counted ? "" : " (warm-up, not counted)");
    }

    /** Our reader: the allocated extents of a full pull export, four connections, into memory. */
    private double ourReader(Domain dom) {
        String uri = startPull(dom);
        try {
            long t = System.nanoTime();
            List<Extent> plan;
            try (NbdConnection c = NbdConnection.open(uri, List.of(MetaContext.BASE_ALLOCATION))) {
                plan = c.extents(MetaContext.BASE_ALLOCATION, 0, c.size()).stream()
                        .filter(e -> !e.has(MetaContext.STATE_ZERO)).toList();
            }
            ParallelRanges.run(plan, 4 << 20, BackupRequest.DEFAULT_WORKERS, () -> new ReadWorker(uri));
            return seconds(t);
        } finally {
            dom.backupEnd(Set.of());
        }
    }

    private double nbdcopyNull(Domain dom) throws Exception {
        String uri = startPull(dom);
        try {
            long t = System.nanoTime();
            Commands.run("nbdcopy", uri, "null:");
            return seconds(t);
        } finally {
            dom.backupEnd(Set.of());
        }
    }

    /** {@code repo backup --level full} into a new repository, end to end. */
    private double repoFull(Domain dom) {
        Path dir = f.dir.resolve("repo-full");
        long t = System.nanoTime();
        new RepoBackup(Repository.create(dir), Clock.systemUTC(), l -> { }).run(dom, BackupRequest.of(Level.FULL));
        double s = seconds(t);
        Fixture.deleteTree(dir);
        deleteCheckpoints(dom);
        return s;
    }

    /** A pull backup copied by {@code nbdcopy --flush} into a new qcow2 served by {@code qemu-nbd}, start to end. */
    private double nbdcopyQcow2(Domain dom) throws Exception {
        Path target = f.dir.resolve("target.qcow2");
        long t = System.nanoTime();
        String uri = startPull(dom);
        try {
            Commands.run("qemu-img", "create", "-q", "-f", "qcow2", target.toString(),
                    Long.toString(f.sourceInfo.virtualSize()));
            try (QemuNbdServer server = QemuNbdServer.writable(target, "qcow2", f.dir.resolve("target.sock"), 4)) {
                Commands.run("nbdcopy", "--flush", uri, server.uri());
            }
        } finally {
            dom.backupEnd(Set.of());
        }
        double s = seconds(t);
        f.discard(target);
        return s;
    }

    private String startPull(Domain dom) {
        Path socket = f.dir.resolve("export.sock");
        dom.backupStart("<domainbackup mode='pull'><server transport='unix' socket='" + socket + "'/><disks>"
                + "<disk name='" + Fixture.DISK + "' type='file'><scratch file='" + f.dir.resolve("scratch.qcow2")
                + "'/></disk></disks></domainbackup>", null, Set.of());
        return "nbd+unix:///" + Fixture.DISK + "?socket=" + socket;
    }

    /** {@code writePercent} % of the disk in 1 MiB guest writes at distinct random offsets. */
    private void writeShare() {
        int slots = (int) (f.sourceInfo.virtualSize() / MIB);
        List<Integer> offsets = new ArrayList<>();
        for (int n = slots * writePercent / 100; offsets.size() < n; ) {
            int o = random.nextInt(slots);
            if (!offsets.contains(o)) {
                offsets.add(o);
            }
        }
        for (int o : offsets) {
            f.qemu.guestWrite(Fixture.DISK, o * MIB, MIB, random.nextInt(256));
        }
        f.flush();
    }

    private static void deleteCheckpoints(Domain dom) {
        for (DomainCheckpoint c : dom.listAllCheckpoints(EnumSet.of(CheckpointListFlag.ROOTS))) {
            c.delete(EnumSet.of(CheckpointDeleteFlag.CHILDREN));
        }
    }

    private void record(String key, double seconds) throws Exception {
        Commands.run("sync"); // what one step wrote is on disk before the next is timed
        if (!counted) {
            return;
        }
        samples.computeIfAbsent(key, k -> new ArrayList<>()).add(seconds);
    }

    private Map<String, Object> medians() {
        Map<String, Object> m = new LinkedHashMap<>();
        samples.forEach((k, v) -> m.put(k, Report.round(Stats.of(v).median())));
        m.put("ratio/reader ours over nbdcopy (target >= 1.0x speed: <= 1.0)", ratio("reader-s/ours",
                "reader-s/nbdcopy-null"));
        m.put("ratio/full repo-backup over nbdcopy+qemu-nbd (target <= 1.3)", ratio("full-s/repo-backup",
                "full-s/nbdcopy-qemu-nbd"));
        m.put("ratio/incremental over full (target <= 0.10)", ratio("incremental-s/repo-backup",
                "full-s/repo-backup"));
        m.put("ratio/restore over qemu-img convert (target <= 1.2)", ratio("restore-s/repo-restore",
                "restore-s/qemu-img-convert"));
        return m;
    }

    private double ratio(String ours, String reference) {
        return Report.round(Stats.of(samples.get(ours)).ratio(Stats.of(samples.get(reference))));
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** Reads its chunks into one buffer and drops them: the reader alone. */
    private static final class ReadWorker implements ParallelRanges.Worker {
        private final NbdConnection c;
        private final NbdBuffer buffer = new NbdBuffer(4 << 20);

        ReadWorker(String uri) {
            c = NbdConnection.open(uri, List.of());
        }

        @Override
        public void process(Extent chunk) {
            c.read(buffer, (int) chunk.length(), chunk.offset());
        }

        @Override
        public void close() {
            c.close();
            buffer.close();
        }
    }
}
