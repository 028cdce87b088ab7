// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.virtbackup.qemu.launch.QemuImg;

/**
 * {@code benchmark libvirt}: the same scenarios through our QEMU driver (on a QEMU we start), through libvirt's
 * embedded QEMU driver via our libvirt driver, and via libvirt-java's own calls (the reference), on identical
 * disks, in one run. Each round, every side in turn (the order rotates by round): a full push of every disk with
 * a checkpoint; the guest writes {@code --write-percent} of each disk on both domains (untimed); an incremental
 * push since that checkpoint; a full pull whose exports are read with {@code nbdcopy}; then {@code --checkpoints}
 * checkpoints created, listed and deleted. The first round is a warm-up whose full targets are compared with
 * the disks.
 */
final class LibvirtBenchmark {
    static final Map<String, String> DEFAULTS = Map.of("disks", "2", "size-mib", "1024", "runs", "3", "warmup", "1",
            "checkpoints", "100", "write-percent", "2", "seed", "42", "workdir", "/var/tmp",
            "results", "benchmarks/results");
    static final String USAGE = """
            usage: benchmark libvirt [--disks 2] [--size-mib 1024] [--runs 3] [--warmup 1] [--checkpoints 100]
                                     [--write-percent 2] [--workdir /var/tmp] [--results benchmarks/results]
              --disks N          disks of each domain (identical copies of one generated disk)
              --size-mib N       virtual size of each disk (at least half becomes data)
              --checkpoints N    checkpoints created, listed and deleted per round and side
              --write-percent P  share of each disk the guest writes before the incremental push
            Needs root, libvirt's QEMU driver (libvirt-daemon-driver-qemu) and nbdcopy.
            """;
    private static final long CHUNK = 1 << 20;

    private final SideBySide set;
    private final LibvirtReport report;
    private final int checkpoints;
    private final List<Long> writes;

    private LibvirtBenchmark(SideBySide set, LibvirtReport report, int checkpoints, double writePercent) {
        this.set = set;
        this.report = report;
        this.checkpoints = checkpoints;
        this.writes = GuestWrites.offsets(set.diskSize, writePercent, CHUNK);
    }

    static void main(String[] args) {
        BenchMain.run(args, DEFAULTS, USAGE, LibvirtBenchmark::run);
    }

    private static void run(BenchOptions o, BenchMain.Out out) throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalArgumentException("benchmark libvirt runs libvirt's embedded QEMU driver as root");
        }
        int disks = o.integer("disks", 1);
        int n = o.integer("checkpoints", 1);
        double percent = Double.parseDouble(o.string("write-percent"));
        long size = o.number("size-mib", 1) << 20;
        GuestWrites.offsets(size, percent, CHUNK); // checks the options before the disks are made
        System.out.printf("generating %d disks of %d MiB for each domain in %s ...%n", disks, size >> 20,
                o.path("workdir"));
        SideBySide set = out.track(SideBySide.create(o.path("workdir"), disks, size, o.number("seed", 0)));
        LibvirtReport report = new LibvirtReport(size * disks, LibvirtGoal.of(disks, n));
        try {
            System.out.printf("each disk: %d MiB of data; guest writes: %d x 1 MiB per disk%n", set.dataBytes >> 20,
                    GuestWrites.offsets(size, percent, CHUNK).size());
            LibvirtBenchmark b = new LibvirtBenchmark(set, report, n, percent);
            int warmup = o.integer("warmup", 1);
            int runs = o.integer("runs", 1);
            for (int round = 0; round < warmup + runs; round++) {
                b.round(round, round >= warmup);
            }
        } finally {
            out.untrack(set);
        }
        report.print(System.out);
        out.write("libvirt", report::toJson);
    }

    private void round(int round, boolean counted) throws Exception {
        List<BackupSide> order = new ArrayList<>(set.sides());
        Collections.rotate(order, -round);
        String r = "r" + round;
        StringBuilder line = new StringBuilder(String.format("round %d%s:", round, counted ? "" : " (warm-up)"));
        for (BackupSide s : order) {
            record(counted, line, LibvirtSteps.PUSH_FULL, s, LibvirtSteps.push(s, r + "-full-" + s.id(), null,
                    checkpoint(r, s)));
        }
        if (round == 0) {
            verifyFull(r);
        }
        for (int disk = 0; disk < set.disks.size(); disk++) {
            for (long offset : writes) {
                set.guestWrite(disk, offset, CHUNK, 0x40 + round % 64);
            }
        }
        for (BackupSide s : order) {
            record(counted, line, LibvirtSteps.PUSH_INCREMENTAL, s, LibvirtSteps.push(s, r + "-inc-" + s.id(),
                    checkpoint(r, s), null));
        }
        for (BackupSide s : order) {
            s.deleteCheckpoint(checkpoint(r, s));
            for (String d : s.disks()) {
                Fixture.deleteAndSync(LibvirtSteps.target(s.dir(), r + "-full-" + s.id(), d),
                        LibvirtSteps.target(s.dir(), r + "-inc-" + s.id(), d));
            }
        }
        for (BackupSide s : order) {
            String tag = r + "-pull-" + s.id();
            record(counted, line, LibvirtSteps.PULL, s, LibvirtSteps.pull(s, tag));
            for (String d : s.disks()) {
                Fixture.deleteAndSync(s.dir().resolve(tag + "-" + d + ".scr"));
            }
        }
        for (BackupSide s : order) {
            for (Map.Entry<String, Double> e : LibvirtSteps.checkpoints(s, r + "-" + s.id(), checkpoints).entrySet()) {
                record(counted, line, e.getKey(), s, Map.of(Stats.TOTAL, e.getValue()));
            }
        }
        System.out.println(line);
    }

    private static String checkpoint(String round, BackupSide s) {
        return round + "-full-cp-" + s.id();
    }

    private void record(boolean counted, StringBuilder line, String step, BackupSide s, Map<String, Double> laps) {
        if (counted) {
            report.add(step, s.id(), laps);
        }
        line.append(String.format(" %s/%s %.1f ms;", step, s.id(), 1000 * laps.get(Stats.TOTAL)));
    }

    /** The warm-up's full targets must read as the disks they copied (nothing has written since). */
    private void verifyFull(String r) throws Exception {
        set.flush();
        for (BackupSide s : set.sides()) {
            for (String d : s.disks()) {
                Path target = LibvirtSteps.target(s.dir(), r + "-full-" + s.id(), d);
                if (!Files.exists(target) || !QemuImg.identical(set.image(s, d), target, true)) {
                    throw new IllegalStateException(s.id() + ": the full backup of " + d + " (" + target
                            + ") differs from the disk");
                }
            }
        }
        System.out.println("round 0: every side's full targets equal the disks (qemu-img compare)");
    }
}
