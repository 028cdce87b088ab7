// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.virtbackup.qemu.block.BlockDisk;
import org.virtbackup.qemu.block.BlockGraph;
import org.virtbackup.qemu.block.BlockLayer;

/**
 * Plans for stand-alone checkpoint create and delete. A checkpoint is one persistent, recording bitmap per
 * disk, named after the checkpoint; nothing is ever disabled or merged (libvirt-backup-reference.md §4.5,
 * §4.6; the libvirt 9.0 trace does exactly this).
 */
public final class CheckpointPlanner {
    private CheckpointPlanner() {
    }

    /**
     * One transaction adding bitmap {@code name} (persistent, enabled) on the top node of each disk.
     *
     * @throws org.virtbackup.api.VirtBackupException {@code CONFIG_UNSUPPORTED} for an unknown disk, a disk
     *     without media or whose top layer is not qcow2; {@code OPERATION_INVALID} when the top layer already
     *     has a bitmap of that name
     */
    public static Plan planCreate(String name, List<String> disks, BlockGraph graph) {
        List<BitmapRef> bitmaps = checkpointBitmaps(new CheckpointRequest(name, disks), graph);
        List<TransactionAction> adds = new ArrayList<>();
        List<Step> undo = new ArrayList<>();
        List<Resource> creates = new ArrayList<>();
        for (BitmapRef b : bitmaps) {
            adds.add(Qmp.blockDirtyBitmapAdd(b.node(), b.name()).persistent(true).disabled(false));
            creates.add(new Resource.Bitmap(b.node(), b.name()));
        }
        undo.add(removeAll(bitmaps));
        return Plan.start(List.of(new Step.Transaction(adds, creates, undo)));
    }

    /**
     * One transaction removing bitmap {@code name} from every layer of each disk that has it.
     *
     * @throws org.virtbackup.api.VirtBackupException {@code INTERNAL_ERROR} "bitmap '%s' not found in backing
     *     chain of '%s'" as libvirt when no layer has it; {@code OPERATION_UNSUPPORTED} when a layer having it
     *     is read-only (libvirt reopens such layers read-write with {@code blockdev-reopen}, which needs the
     *     node's full options; virtbackup does not do that yet)
     */
    public static Plan planDelete(String name, List<String> disks, BlockGraph graph) {
        List<BitmapRef> bitmaps = new ArrayList<>();
        for (String diskName : disks) {
            BlockDisk disk = disk(graph, diskName);
            List<BlockLayer> layers = disk.layersWithBitmap(name);
            if (layers.isEmpty()) {
                throw Errors.internal("bitmap '" + name + "' not found in backing chain of '" + diskName + "'");
            }
            for (BlockLayer l : layers) {
                if (l.readOnly()) {
                    throw Errors.operationUnsupported("bitmap '" + name + "' of disk '" + diskName
                            + "' is in read-only layer '" + l.nodeName() + "'; removing it needs a read-write "
                            + "reopen, which is not supported yet");
                }
                bitmaps.add(new BitmapRef(l.nodeName(), name));
            }
        }
        return Plan.teardown(List.of(removeAll(bitmaps)));
    }

    /** The checkpoint bitmaps, validated: one per disk on its top node. */
    static List<BitmapRef> checkpointBitmaps(CheckpointRequest c, BlockGraph graph) {
        if (c.disks().isEmpty()) {
            throw Errors.configUnsupported("checkpoint '" + c.name() + "' covers no disk");
        }
        Set<String> seen = new HashSet<>();
        List<BitmapRef> out = new ArrayList<>();
        for (String diskName : c.disks()) {
            if (!seen.add(diskName)) {
                throw Errors.configUnsupported("disk '" + diskName + "' specified twice");
            }
            BlockLayer top = disk(graph, diskName).top();
            if (!top.driver().equals("qcow2")) {
                // libvirt qemuCheckpointPrepare: persistent bitmaps exist only in qcow2
                throw Errors.configUnsupported("checkpoint for disk " + diskName
                        + " unsupported for storage type " + top.driver());
            }
            if (top.hasBitmap(c.name())) {
                throw Errors.operationInvalid("bitmap '" + c.name() + "' already exists on disk '" + diskName + "'");
            }
            out.add(new BitmapRef(top.nodeName(), c.name()));
        }
        return out;
    }

    private static BlockDisk disk(BlockGraph graph, String name) {
        BlockDisk disk = graph.disk(name).orElseThrow(() -> Errors.configUnsupported("no disk named '" + name + "'"));
        if (!disk.hasMedia()) {
            throw Errors.configUnsupported("disk '" + name + "' has no media");
        }
        return disk;
    }

    /** A transaction removing these bitmaps (used for delete and for undoing a create). */
    static Step removeAll(List<BitmapRef> bitmaps) {
        List<TransactionAction> removes = bitmaps.stream()
                .<TransactionAction>map(b -> Qmp.blockDirtyBitmapRemove(b.node(), b.name())).toList();
        return new Step.Transaction(removes, List.of(), List.of());
    }
}
