// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.health;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.virtbackup.api.CheckpointDiskState;
import org.virtbackup.api.CheckpointHealth;
import org.virtbackup.api.CheckpointHealth.DiskEntry;
import org.virtbackup.api.CheckpointHealth.Orphan;
import org.virtbackup.qemu.block.BitmapInfo;
import org.virtbackup.qemu.block.BlockDisk;
import org.virtbackup.qemu.block.BlockGraph;
import org.virtbackup.qemu.block.BlockLayer;
import org.virtbackup.xml.model.CheckpointDef;
import org.virtbackup.xml.model.CheckpointDiskDef;
import org.virtbackup.xml.model.CheckpointType;

/**
 * Compares checkpoint metadata with the block graph. The rules for a usable chain are libvirt's
 * ({@code qemuBlockBitmapChainIsValid}, as {@link BlockDisk#bitmapChainProblem} implements them); this class
 * only sorts the problems into {@link CheckpointDiskState}s and finds the bitmaps nobody claims.
 */
public final class CheckpointReconciler {

    private CheckpointReconciler() {
    }

    /**
     * Reconciles.
     *
     * @param checkpoints the stored checkpoints, in the order the report lists them (topological)
     * @param graph QEMU's block graph
     * @return the report
     */
    public static CheckpointHealth reconcile(List<CheckpointDef> checkpoints, BlockGraph graph) {
        List<DiskEntry> entries = new ArrayList<>();
        Set<String> claimed = new HashSet<>();
        for (CheckpointDef def : checkpoints) {
            String name = def.name().orElseThrow();
            List<DiskEntry> mine = new ArrayList<>();
            for (CheckpointDiskDef d : def.disks()) {
                if (d.checkpoint() != CheckpointType.BITMAP) {
                    continue;
                }
                String bitmap = d.bitmap().orElse(name);
                claimed.add(key(d.name(), bitmap));
                mine.add(entry(name, d.name(), bitmap, graph.disk(d.name())));
            }
            String repair = repairOf(name, mine);
            mine.forEach(e -> entries.add(e.state() == CheckpointDiskState.OK ? e
                    : new DiskEntry(e.checkpoint(), e.disk(), e.bitmap(), e.state(), e.detail(), repair)));
        }
        return new CheckpointHealth(entries, orphans(graph, claimed));
    }

    private static DiskEntry entry(String checkpoint, String diskName, String bitmap, Optional<BlockDisk> disk) {
        if (disk.isEmpty()) {
            return problem(checkpoint, diskName, bitmap, CheckpointDiskState.MISSING,
                    "disk '" + diskName + "' is not in the domain");
        }
        BlockDisk d = disk.get();
        Optional<String> problem = d.bitmapChainProblem(bitmap);
        if (problem.isEmpty()) {
            return new DiskEntry(checkpoint, diskName, bitmap, CheckpointDiskState.OK, "", "");
        }
        return problem(checkpoint, diskName, bitmap, classify(d, bitmap), problem.get());
    }

    /** The state for a chain {@link BlockDisk#bitmapChainProblem} found fault with. */
    static CheckpointDiskState classify(BlockDisk disk, String bitmap) {
        List<BlockLayer> layers = disk.layersWithBitmap(bitmap);
        if (layers.isEmpty()) {
            return CheckpointDiskState.MISSING;
        }
        List<BitmapInfo> copies = layers.stream().map(l -> l.bitmap(bitmap).orElseThrow()).toList();
        if (copies.stream().anyMatch(BitmapInfo::inconsistent)) {
            return CheckpointDiskState.INCONSISTENT;
        }
        boolean contiguousFromTop = layers.size() == disk.chain().indexOf(layers.get(layers.size() - 1)) + 1;
        if (!contiguousFromTop || copies.stream().anyMatch(b -> !b.persistent())) {
            return CheckpointDiskState.BROKEN_CHAIN;
        }
        return CheckpointDiskState.NOT_RECORDING;
    }

    private static DiskEntry problem(String checkpoint, String disk, String bitmap, CheckpointDiskState state,
            String detail) {
        return new DiskEntry(checkpoint, disk, bitmap, state, detail, "");
    }

    /**
     * One repair for the whole checkpoint: a plain delete removes the bitmap from every layer first and fails
     * where no layer has it (libvirt), so a checkpoint with a missing bitmap loses its metadata only and the
     * copies left on other disks become orphans to remove.
     */
    static String repairOf(String checkpoint, List<DiskEntry> disks) {
        if (disks.stream().allMatch(e -> e.state() == CheckpointDiskState.OK)) {
            return "";
        }
        boolean missing = disks.stream().anyMatch(e -> e.state() == CheckpointDiskState.MISSING);
        boolean copiesLeft = disks.stream().anyMatch(e -> e.state() != CheckpointDiskState.MISSING);
        if (!missing) {
            return "delete the checkpoint and its bitmaps: 'checkpoint-delete " + checkpoint
                    + "' (DomainCheckpoint.delete); the next backup of these disks must be full";
        }
        return "delete the checkpoint's metadata: 'checkpoint-delete " + checkpoint + " --metadata' "
                + "(DomainCheckpoint.delete(METADATA_ONLY))"
                + (copiesLeft ? ", then its bitmaps left on other disks: 'checkpoint-remove-bitmap " + checkpoint
                        + "' (Domain.checkpointRemoveBitmap)" : "")
                + "; the next backup of these disks must be full";
    }

    /** Persistent bitmaps in a disk's chain that no checkpoint claims for that disk. */
    private static List<Orphan> orphans(BlockGraph graph, Set<String> claimed) {
        List<Orphan> out = new ArrayList<>();
        for (BlockDisk disk : graph.disks()) {
            Map<String, List<String>> nodesByBitmap = new LinkedHashMap<>();
            for (BlockLayer layer : disk.chain()) {
                for (BitmapInfo b : layer.bitmaps()) {
                    if (b.persistent() && !b.name().isEmpty() && !claimed.contains(key(disk.name(), b.name()))) {
                        nodesByBitmap.computeIfAbsent(b.name(), n -> new ArrayList<>()).add(layer.nodeName());
                    }
                }
            }
            nodesByBitmap.keySet().stream().sorted().forEach(bitmap -> out.add(new Orphan(disk.name(), bitmap,
                    nodesByBitmap.get(bitmap), disk.bitmapChainProblem(bitmap).isEmpty())));
        }
        return out;
    }

    private static String key(String disk, String bitmap) {
        return disk + "\u0000" + bitmap;
    }
}
