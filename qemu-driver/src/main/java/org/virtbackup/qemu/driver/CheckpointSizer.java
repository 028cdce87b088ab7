// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.virtbackup.qemu.block.BlockGraph;
import org.virtbackup.qemu.exec.Journal;
import org.virtbackup.qemu.exec.PlanExecutor;
import org.virtbackup.qemu.plan.BitmapRef;
import org.virtbackup.qemu.plan.CheckpointPlanner;
import org.virtbackup.qemu.store.DomainLock;
import org.virtbackup.xml.model.CheckpointDef;
import org.virtbackup.xml.model.CheckpointDiskDef;
import org.virtbackup.xml.model.CheckpointType;

/**
 * {@code VIR_DOMAIN_CHECKPOINT_XML_SIZE}: the bytes dirtied since a checkpoint, per disk, measured the libvirt
 * way (libvirt-backup-reference.md §4.7) with the plan of {@link CheckpointPlanner#planSize}.
 */
final class CheckpointSizer {

    private final DomainContext ctx;

    CheckpointSizer(DomainContext ctx) {
        this.ctx = ctx;
    }

    /** The checkpoint with {@code size} set on each disk whose bitmap chain is valid; others get none. */
    CheckpointDef withSizes(String name) {
        try (DomainLock lock = ctx.lock()) {
            CheckpointDef def = QemuCheckpoint.load(ctx, name);
            Map<String, Long> sizes = measure(bitmapByDisk(def));
            List<CheckpointDiskDef> disks = def.disks().stream()
                    .map(d -> sizes.containsKey(d.name()) ? d.withSize(sizes.get(d.name())) : d).toList();
            return def.withDisks(disks);
        }
    }

    private Map<String, Long> measure(Map<String, String> bitmapByDisk) {
        CheckpointPlanner.SizePlan plan = CheckpointPlanner.planSize(bitmapByDisk, ctx.view().graph());
        Map<String, Long> sizes = new LinkedHashMap<>();
        if (plan.temporaries().isEmpty()) {
            return sizes;
        }
        PlanExecutor exec = new PlanExecutor(ctx.qmp(), Journal.NONE, DomainContext.CREATE_JOB_TIMEOUT);
        exec.apply(plan.measure());
        try {
            BlockGraph graph = ctx.view().graph();
            plan.temporaries().forEach((disk, tmp) -> sizes.put(disk, count(graph, tmp)));
        } finally {
            exec.apply(plan.cleanup());
        }
        return sizes;
    }

    private static long count(BlockGraph graph, BitmapRef tmp) {
        return graph.node(tmp.node()).flatMap(n -> n.bitmap(tmp.name())).orElseThrow(() ->
                new IllegalStateException("temporary bitmap '" + tmp.name() + "' vanished from node '"
                        + tmp.node() + "'")).count();
    }

    /** The disk-to-bitmap map of a checkpoint's bitmap disks. */
    static Map<String, String> bitmapByDisk(CheckpointDef def) {
        Map<String, String> m = new LinkedHashMap<>();
        for (CheckpointDiskDef d : def.disks()) {
            if (d.checkpoint() == CheckpointType.BITMAP) {
                m.put(d.name(), d.bitmap().orElse(def.name().orElseThrow()));
            }
        }
        return m;
    }
}
