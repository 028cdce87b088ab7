// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.virtbackup.qemu.plan.Qmp;
import org.virtbackup.qemu.plan.TransactionAction;
import org.virtbackup.qemu.qmp.QmpChannel;

/**
 * The references of the checkpoint benchmark, measured in the same round on the same QEMU and store:
 * <ul>
 *   <li>{@code ref: query-named-block-nodes + query-block}: the two queries reconciliation must make, on a raw
 *       channel; their replies grow with the bitmaps (every bitmap of every node), so this is what QEMU alone
 *       costs at this count;</li>
 *   <li>{@code ref: bitmap-add transaction} and {@code ref: bitmap-remove transaction}: one {@code transaction}
 *       adding (persistent, enabled) or removing a bitmap on every disk's format node, what a checkpoint create or
 *       delete must send at least;</li>
 *   <li>{@code ref: list store directory} and {@code ref: read every store file}: listing the names in
 *       {@code checkpoints/}, and reading every file's bytes without parsing them: the least any list must do
 *       without a cache, and what a list that reads and parses every file adds to it.</li>
 * </ul>
 */
final class CheckpointReferences {
    static final String QUERIES = "ref: query-named-block-nodes + query-block";
    static final String ADD = "ref: bitmap-add transaction";
    static final String REMOVE = "ref: bitmap-remove transaction";
    static final String LS = "ref: list store directory";
    static final String READ = "ref: read every store file";
    static final List<String> IDS = List.of(QUERIES, ADD, REMOVE, LS, READ);

    private final DiskSet d;

    CheckpointReferences(DiskSet d) {
        this.d = d;
    }

    /** One measurement of each reference, in seconds. */
    Map<String, Double> measure(int round) throws IOException {
        Map<String, Double> t = new LinkedHashMap<>();
        String bitmap = "bench-ref-" + round;
        try (QmpChannel qmp = d.qemu.openQmp()) {
            long t0 = System.nanoTime();
            qmp.execute(Qmp.queryNamedBlockNodes());
            qmp.execute(Qmp.queryBlock());
            t.put(QUERIES, CheckpointBenchmark.since(t0));
            List<TransactionAction> adds = new ArrayList<>();
            List<TransactionAction> removes = new ArrayList<>();
            for (int i = 0; i < d.names.size(); i++) {
                adds.add(Qmp.blockDirtyBitmapAdd(d.formatNode(i), bitmap).persistent(true).disabled(false));
                removes.add(Qmp.blockDirtyBitmapRemove(d.formatNode(i), bitmap));
            }
            long t1 = System.nanoTime();
            qmp.execute(Qmp.transaction(adds));
            t.put(ADD, CheckpointBenchmark.since(t1));
            long t2 = System.nanoTime();
            qmp.execute(Qmp.transaction(removes));
            t.put(REMOVE, CheckpointBenchmark.since(t2));
        }
        Path store = d.state.resolve("vm1").resolve("checkpoints");
        long t3 = System.nanoTime();
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(store, "*.xml")) {
            s.forEach(files::add);
        }
        t.put(LS, CheckpointBenchmark.since(t3));
        long t4 = System.nanoTime();
        long bytes = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(store, "*.xml")) {
            for (Path f : s) {
                bytes += Files.readAllBytes(f).length;
            }
        }
        t.put(READ, CheckpointBenchmark.since(t4));
        if (files.isEmpty() || bytes == 0) {
            throw new IllegalStateException("no checkpoint files in '" + store + "'");
        }
        return t;
    }
}
