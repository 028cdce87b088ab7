// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.virtbackup.api.CheckpointDeleteFlag;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.DomainCheckpoint;

/**
 * Full push with a checkpoint, then the guest writes 1 % of the disk (1 MiB writes spread evenly), an
 * incremental push, then 10 % more and another incremental push; all through the public API. Each round
 * ends by deleting its checkpoints and targets, so every round starts from the same bitmap state. The first
 * round's incrementals are verified against the source (the chain full &lt;- inc1 &lt;- inc10).
 */
final class IncrementalScenario {
    private static final long CHUNK = 1 << 20;

    static final String FULL = "full+checkpoint";
    static final String INC1 = "incremental 1%";
    static final String INC10 = "incremental 10%";

    private final Fixture f;

    IncrementalScenario(Fixture f) {
        this.f = f;
    }

    /** Runs {@code warmup} uncounted and {@code runs} counted rounds; returns the series full, inc1, inc10. */
    List<Series> run(int warmup, int runs) throws Exception {
        List<Series> out = List.of(new Series(FULL, "push full + new checkpoint (public API)"),
                new Series(INC1, "push incremental after 1% of the disk written"),
                new Series(INC10, "push incremental after 10% of the disk written"));
        for (int round = 0; round < warmup + runs; round++) {
            List<Map<String, Double>> laps = round(round, round == 0);
            if (round >= warmup) {
                for (int i = 0; i < out.size(); i++) {
                    out.get(i).add(laps.get(i));
                }
            }
            System.out.printf("  incremental round %d%s: full %.3f s, inc 1%% %.3f s, inc 10%% %.3f s%n", round,
                    round < warmup ? " (warm-up)" : "", laps.get(0).get(Stats.TOTAL),
                    laps.get(1).get(Stats.TOTAL), laps.get(2).get(Stats.TOTAL));
        }
        return out;
    }

    private List<Map<String, Double>> round(int round, boolean verify) throws Exception {
        Path full = f.dir.resolve("inc-full.qcow2");
        Path inc1 = f.dir.resolve("inc-1.qcow2");
        Path inc10 = f.dir.resolve("inc-10.qcow2");
        String cpFull = "bench-full-" + round;
        String cp1 = "bench-inc1-" + round;
        String cp10 = "bench-inc10-" + round;
        List<Map<String, Double>> laps = new ArrayList<>();
        laps.add(OursPush.backup(f, OursPush.backupXml(null, full), OursPush.checkpointXml(cpFull), false));
        write(0.01, 0, 2 * round + 1);
        laps.add(OursPush.backup(f, OursPush.backupXml(cpFull, inc1), OursPush.checkpointXml(cp1), false));
        verify(verify, inc1);
        write(0.10, CHUNK / 2, 2 * round + 2);
        laps.add(OursPush.backup(f, OursPush.backupXml(cp1, inc10), OursPush.checkpointXml(cp10), false));
        verify(verify, inc10);
        deleteCheckpoints();
        f.discard(inc10, inc1, full);
        return laps;
    }

    /** Writes {@code fraction} of the disk in 1 MiB guest writes at evenly spread offsets, untimed. */
    private void write(double fraction, long shift, int pattern) {
        long size = f.sourceInfo.virtualSize();
        long chunks = Math.max(1, (long) Math.ceil(size * fraction / CHUNK));
        long stride = size / chunks;
        for (long i = 0; i < chunks; i++) {
            long offset = Math.min(size - CHUNK, (i * stride + shift) / 4096 * 4096);
            f.qemu.guestWrite(Fixture.DISK, offset, CHUNK, 1 + pattern % 255);
        }
    }

    private void verify(boolean enabled, Path backup) {
        if (enabled && !f.matchesSource(backup)) {
            throw new IllegalStateException("incremental backup '" + backup + "' (with its chain) differs from "
                    + "the source: not measuring a broken backup");
        }
    }

    /** Deletes every checkpoint, leaves first, so that no bitmap is left recording. */
    private void deleteCheckpoints() {
        try (Connection conn = Connections.open(f.qemu.qmpUri(Fixture.DOMAIN), Map.of("stateDir",
                f.state.toString()))) {
            List<DomainCheckpoint> all = conn.domain().listAllCheckpoints(EnumSet.noneOf(CheckpointListFlag.class));
            for (DomainCheckpoint c : all.stream().filter(c -> c.getParent().isEmpty()).toList()) {
                c.delete(Set.of(CheckpointDeleteFlag.CHILDREN));
            }
        }
    }
}
