// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.virtbackup.api.CheckpointHealth;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;

/**
 * {@code benchmark checkpoints}: one QEMU with N small disks; the checkpoint chain grows through the public API
 * to each count (the growth is timed too: it is itself a figure), then each round times, on that many
 * checkpoints: open + reconcile ({@code Connections.open}, which logs the health, then {@code checkpointHealth}),
 * {@code listAllCheckpoints} without flags and with {@code TOPOLOGICAL}, creating one more, deleting it (the
 * newest leaf), and deleting a middle one (its child is reparented; an untimed create restores the count). The
 * references of the same round are in {@link CheckpointReferences}.
 */
final class CheckpointBenchmark {
    static final Map<String, String> DEFAULTS = Map.of("counts", "10,100,1000", "disks", "4", "runs", "5",
            "warmup", "1", "size-mib", "16", "seed", "42", "workdir", "/var/tmp", "results", "benchmarks/results");
    static final String USAGE = """
            usage: benchmark checkpoints [--counts 10,100,1000] [--disks 4] [--runs 5] [--warmup 1] [--size-mib 16]
                                         [--workdir /var/tmp] [--results benchmarks/results]
              --counts LIST  checkpoint counts, ascending; the chain grows through the API from one to the next
              --disks N      disks of the domain (each checkpoint has a bitmap on every one)
            """;

    static final String OPEN = "open+reconcile";
    static final String LIST = "list";
    static final String LIST_TOPO = "list TOPOLOGICAL";
    static final String CREATE = "create one more";
    static final String DELETE_LEAF = "delete newest leaf";
    static final String DELETE_MIDDLE = "delete a middle one";

    private final DiskSet d;
    private final CheckpointReferences refs;
    private final List<String> chain = new ArrayList<>();
    private int serial;

    private CheckpointBenchmark(DiskSet d) {
        this.d = d;
        this.refs = new CheckpointReferences(d);
    }

    static void main(String[] args) {
        BenchMain.run(args, DEFAULTS, USAGE, CheckpointBenchmark::run);
    }

    private static void run(BenchOptions o, BenchMain.Out out) throws Exception {
        List<Integer> counts = o.integers("counts", 3);
        for (int i = 1; i < counts.size(); i++) {
            if (counts.get(i) <= counts.get(i - 1)) {
                throw new IllegalArgumentException("--counts must be ascending");
            }
        }
        DiskSet d = out.track(DiskSet.create(o.path("workdir"), o.integer("disks", 1), o.number("size-mib", 1) << 20,
                o.number("seed", 0)));
        CheckpointReport report = new CheckpointReport();
        try {
            CheckpointBenchmark b = new CheckpointBenchmark(d);
            for (int count : counts) {
                long t = System.nanoTime();
                int before = b.chain.size();
                b.grow(count);
                double growth = (System.nanoTime() - t) / 1e9;
                System.out.printf("%d checkpoints: %d created in %.1f s (%.1f ms each)%n", count, count - before, growth,
                        1000 * growth / (count - before));
                report.add(count, count - before, growth, b.rounds(o.integer("warmup", 1), o.integer("runs", 1)));
            }
        } finally {
            out.untrack(d);
        }
        report.print(System.out);
        out.write("checkpoints", report::toJson);
    }

    /** Creates checkpoints through the API until the chain has {@code count}. */
    private void grow(int count) {
        try (Connection conn = open()) {
            while (chain.size() < count) {
                create(conn.domain());
            }
        }
    }

    private String create(Domain dom) {
        String name = String.format("cp%05d", ++serial);
        dom.checkpointCreateXml("<domaincheckpoint><name>" + name + "</name></domaincheckpoint>", Set.of());
        chain.add(name);
        return name;
    }

    private Connection open() {
        return Connections.open(d.qemu.qmpUri("vm1"), d.options());
    }

    private List<Series> rounds(int warmup, int runs) throws Exception {
        Map<String, Series> series = new LinkedHashMap<>();
        for (String id : List.of(OPEN, LIST, LIST_TOPO, CREATE, DELETE_LEAF, DELETE_MIDDLE)) {
            series.put(id, new Series(id, id));
        }
        CheckpointReferences.IDS.forEach(id -> series.put(id, new Series(id, id)));
        for (int round = 0; round < warmup + runs; round++) {
            Map<String, Double> times = new LinkedHashMap<>(api(round == 0));
            times.putAll(refs.measure(round));
            if (round >= warmup) {
                times.forEach((id, t) -> series.get(id).add(Map.of(Stats.TOTAL, t)));
            }
            System.out.printf("  %d checkpoints, round %d%s: %s%n", chain.size(), round, round < warmup ? " (warm-up)"
                    : "", format(times));
        }
        return List.copyOf(series.values());
    }

    /** One round of the API operations; every result is checked in the first round. */
    private Map<String, Double> api(boolean check) {
        Map<String, Double> t = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        try (Connection conn = open()) {
            Domain dom = conn.domain();
            CheckpointHealth h = dom.checkpointHealth();
            t.put(OPEN, since(t0));
            if (check && (!h.ok() || h.disks().size() != chain.size() * d.names.size())) {
                throw new IllegalStateException("checkpoint health not ok: " + h);
            }
            long t1 = System.nanoTime();
            List<DomainCheckpoint> all = dom.listAllCheckpoints(Set.of());
            t.put(LIST, since(t1));
            long t2 = System.nanoTime();
            List<DomainCheckpoint> topo = dom.listAllCheckpoints(Set.of(CheckpointListFlag.TOPOLOGICAL));
            t.put(LIST_TOPO, since(t2));
            if (check && (all.size() != chain.size() || !topo.stream().map(DomainCheckpoint::name).toList()
                    .equals(chain))) {
                throw new IllegalStateException("the list is not the chain of " + chain.size() + " checkpoints");
            }
            long t3 = System.nanoTime();
            String extra = create(dom);
            t.put(CREATE, since(t3));
            long t4 = System.nanoTime();
            dom.checkpointLookupByName(extra).delete(Set.of());
            t.put(DELETE_LEAF, since(t4));
            chain.remove(extra);
            String middle = chain.get(chain.size() / 2);
            long t5 = System.nanoTime();
            dom.checkpointLookupByName(middle).delete(Set.of());
            t.put(DELETE_MIDDLE, since(t5));
            chain.remove(middle);
            create(dom); // untimed: back to the count
        }
        return t;
    }

    static double since(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static String format(Map<String, Double> times) {
        StringBuilder b = new StringBuilder();
        times.forEach((id, v) -> b.append(String.format("%s %.1f ms; ", id, 1000 * v)));
        return b.toString();
    }
}
