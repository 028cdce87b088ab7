// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.api;

import java.util.List;
import java.util.Objects;

/**
 * The reconciliation of a domain's checkpoint metadata with the persistent bitmaps QEMU reports: one entry per
 * checkpoint disk with a bitmap, and the persistent bitmaps no checkpoint claims (orphans). Nothing is repaired
 * by computing it; see {@link Domain#checkpointAdoptBitmap}, {@link Domain#checkpointRemoveBitmap} and
 * {@link CheckpointDeleteFlag#METADATA_ONLY} for the repairs.
 *
 * @param disks every checkpoint disk with {@code checkpoint='bitmap'}, in topological checkpoint order, then
 *     the checkpoint's disk order
 * @param orphans persistent bitmaps without metadata, by disk order then bitmap name
 * @since 0.1
 */
public record CheckpointHealth(List<DiskEntry> disks, List<Orphan> orphans) {

    public CheckpointHealth {
        disks = List.copyOf(disks);
        orphans = List.copyOf(orphans);
    }

    /**
     * One checkpoint disk.
     *
     * @param checkpoint the checkpoint name
     * @param disk the disk name
     * @param bitmap the bitmap name (the checkpoint name unless redefined otherwise)
     * @param state the state
     * @param detail why the state is not {@link CheckpointDiskState#OK}, lowercase; empty when it is
     * @param repair what to do about it, naming the API call and the CLI verb; empty when nothing is needed
     */
    public record DiskEntry(String checkpoint, String disk, String bitmap, CheckpointDiskState state,
            String detail, String repair) {
        public DiskEntry {
            Objects.requireNonNull(checkpoint, "checkpoint");
            Objects.requireNonNull(disk, "disk");
            Objects.requireNonNull(bitmap, "bitmap");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(detail, "detail");
            Objects.requireNonNull(repair, "repair");
        }
    }

    /**
     * A persistent bitmap that no checkpoint's metadata claims for this disk.
     *
     * @param disk the disk name
     * @param bitmap the bitmap name
     * @param nodes the block nodes (layers) having it, top first
     * @param usable whether its chain would be valid for a checkpoint (so adopting it makes sense)
     */
    public record Orphan(String disk, String bitmap, List<String> nodes, boolean usable) {
        public Orphan {
            Objects.requireNonNull(disk, "disk");
            Objects.requireNonNull(bitmap, "bitmap");
            nodes = List.copyOf(nodes);
        }
    }

    /** Whether every checkpoint disk is {@link CheckpointDiskState#OK} and there is no orphan. */
    public boolean ok() {
        return orphans.isEmpty() && disks.stream().allMatch(d -> d.state() == CheckpointDiskState.OK);
    }

    /** The checkpoint disks that are not {@link CheckpointDiskState#OK}. */
    public List<DiskEntry> problems() {
        return disks.stream().filter(d -> d.state() != CheckpointDiskState.OK).toList();
    }
}
