// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.virtbackup.qemu.block.BlockDisk;
import org.virtbackup.qemu.block.BlockGraph;
import org.virtbackup.qemu.block.BlockLayer;
import org.virtbackup.qemu.qmp.QmpCommand;

/**
 * Plans for stand-alone checkpoint create, delete and size. A checkpoint is one persistent, recording bitmap per
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
     * One transaction removing bitmap {@code name} from every layer of each disk that has it. When some of those
     * layers are read-only (backing images, e.g. after an external snapshot), they are reopened read-write
     * first and read-only afterwards, as libvirt does (libvirt-backup-reference.md §4.6 step 3; see
     * {@link LayerReopen}): a {@code START} plan of one {@code blockdev-reopen} of all of them whose undo is the
     * read-only reopen, the transaction, and the read-only reopen. A failed transaction changes no bitmap
     * and the rollback leaves the layers read-only again. Without read-only layers the plan is a
     * {@code TEARDOWN} of the one transaction.
     *
     * @throws org.virtbackup.api.VirtBackupException {@code INTERNAL_ERROR} "bitmap '%s' not found in backing
     *     chain of '%s'" as libvirt when no layer has it; {@code OPERATION_UNSUPPORTED} when a read-only layer
     *     having it cannot be reopened (a node name QEMU generated, an unknown file child)
     */
    public static Plan planDelete(String name, List<String> disks, BlockGraph graph) {
        Map<String, String> bitmaps = new LinkedHashMap<>();
        disks.forEach(d -> bitmaps.put(d, name));
        return planDelete(bitmaps, graph);
    }

    /**
     * As {@link #planDelete(String, List, BlockGraph)}, with each disk's own bitmap name (a redefined checkpoint
     * may name its bitmaps differently).
     *
     * @param bitmapByDisk disk name to bitmap name, in disk order
     */
    public static Plan planDelete(Map<String, String> bitmapByDisk, BlockGraph graph) {
        List<BitmapRef> bitmaps = new ArrayList<>();
        Map<String, LayerReopen> reopens = new LinkedHashMap<>();
        bitmapByDisk.forEach((diskName, name) -> {
            BlockDisk disk = disk(graph, diskName);
            List<BlockLayer> layers = disk.layersWithBitmap(name);
            if (layers.isEmpty()) {
                throw Errors.internal("bitmap '" + name + "' not found in backing chain of '" + diskName
                        + "': delete the checkpoint's metadata only (METADATA_ONLY, checkpoint-delete --metadata)");
            }
            for (BlockLayer l : layers) {
                if (l.readOnly() && !reopens.containsKey(l.nodeName())) {
                    reopens.put(l.nodeName(), LayerReopen.of(disk, l, graph, name));
                }
                bitmaps.add(new BitmapRef(l.nodeName(), name));
            }
        });
        if (reopens.isEmpty()) {
            return Plan.teardown(List.of(removeAll(bitmaps)));
        }
        return writable(reopens.values(), removeAll(bitmaps));
    }

    /**
     * A start plan running {@code change} with these layers writable: reopen read-write (undo: read-only), the
     * change, reopen read-only.
     */
    private static Plan writable(Collection<LayerReopen> layers, Step change) {
        Step.QmpCall readOnly = Step.QmpCall.of(reopen(layers, true));
        Step.QmpCall readWrite = new Step.QmpCall(reopen(layers, false), List.of(), Optional.of(readOnly));
        return Plan.start(List.of(readWrite, change, readOnly));
    }

    private static QmpCommand reopen(Collection<LayerReopen> layers, boolean readOnly) {
        return Qmp.blockdevReopen(layers.stream().flatMap(l -> l.options(readOnly).stream()).toList());
    }

    /**
     * The temporary bitmap {@link #planSize} adds to each disk's top node; libvirt's is
     * {@code libvirt-tmp-size-xml}.
     */
    public static final String SIZE_BITMAP = "vb-tmp-size";

    /**
     * How to measure the bytes dirtied since checkpoint bitmap {@code name} (libvirt's
     * {@code qemuCheckpointGetXMLDescUpdateSize}, libvirt-backup-reference.md §4.7): per disk whose chain is
     * valid, a non-persistent, disabled {@link #SIZE_BITMAP} on the top node with the checkpoint bitmap's
     * granularity, into which the bitmap of every layer having it is merged; {@code query-named-block-nodes}
     * then gives its {@code count}; {@link SizePlan#cleanup()} removes it. A temporary bitmap left by a crashed
     * earlier measurement is removed first. Disks with an invalid chain are left out (libvirt prints no size).
     *
     * @param bitmapByDisk disk name to checkpoint bitmap name
     */
    public static SizePlan planSize(Map<String, String> bitmapByDisk, BlockGraph graph) {
        List<TransactionAction> leftovers = new ArrayList<>();
        List<TransactionAction> actions = new ArrayList<>();
        List<BitmapRef> temporaries = new ArrayList<>();
        Map<String, BitmapRef> measured = new LinkedHashMap<>();
        bitmapByDisk.forEach((diskName, name) -> {
            Optional<BlockDisk> disk = graph.disk(diskName);
            if (disk.isEmpty() || disk.get().bitmapChainProblem(name).isPresent()) {
                return;
            }
            BlockLayer top = disk.get().top();
            BitmapRef tmp = new BitmapRef(top.nodeName(), SIZE_BITMAP);
            if (top.hasBitmap(SIZE_BITMAP)) {
                leftovers.add(Qmp.blockDirtyBitmapRemove(tmp.node(), tmp.name()));
            }
            long granularity = top.bitmap(name).orElseThrow().granularity();
            actions.add(Qmp.blockDirtyBitmapAdd(tmp.node(), tmp.name()).persistent(false).disabled(true)
                    .granularity(granularity));
            List<BitmapRef> sources = disk.get().layersWithBitmap(name).stream()
                    .map(l -> new BitmapRef(l.nodeName(), name)).toList();
            actions.add(Qmp.blockDirtyBitmapMerge(tmp.node(), tmp.name(), sources));
            temporaries.add(tmp);
            measured.put(diskName, tmp);
        });
        List<Step> steps = new ArrayList<>();
        if (!leftovers.isEmpty()) {
            steps.add(new Step.Transaction(leftovers, List.of(), List.of()));
        }
        if (!actions.isEmpty()) {
            List<Resource> creates = temporaries.stream().<Resource>map(t -> new Resource.Bitmap(t.node(), t.name()))
                    .toList();
            steps.add(new Step.Transaction(actions, creates, List.of(removeAll(temporaries))));
        }
        Plan cleanup = Plan.teardown(temporaries.isEmpty() ? List.of() : List.of(removeAll(temporaries)));
        return new SizePlan(measured, Plan.start(steps), cleanup);
    }

    /**
     * A size measurement.
     *
     * @param temporaries per measured disk, the temporary bitmap whose {@code count} is the size
     * @param measure adds and fills the temporary bitmaps (empty when no disk can be measured)
     * @param cleanup removes them
     */
    public record SizePlan(Map<String, BitmapRef> temporaries, Plan measure, Plan cleanup) {
        public SizePlan {
            temporaries = Collections.unmodifiableMap(new LinkedHashMap<>(temporaries));
        }
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
                // Checked before QEMU is touched; the caller has already refused a name that metadata uses,
                // so the bitmap is an orphan (libvirt would let QEMU fail with "Bitmap already exists").
                throw Errors.operationInvalid("bitmap '" + c.name() + "' already exists on disk '" + diskName
                        + "' but no checkpoint metadata claims it (an orphan bitmap): remove it with "
                        + "'checkpoint-remove-bitmap " + c.name() + "' (Domain.checkpointRemoveBitmap) or adopt it "
                        + "as a checkpoint with 'checkpoint-adopt-bitmap " + c.name()
                        + "' (Domain.checkpointAdoptBitmap), or choose another checkpoint name");
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
