// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.virtbackup.api.CheckpointCreateFlag;
import org.virtbackup.api.CheckpointDeleteFlag;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.exec.Failpoint;
import org.virtbackup.qemu.exec.Journal;
import org.virtbackup.qemu.exec.PlanExecutor;
import org.virtbackup.qemu.plan.CheckpointPlanner;
import org.virtbackup.qemu.plan.Plan;
import org.virtbackup.qemu.store.CheckpointDeletion;
import org.virtbackup.qemu.store.CheckpointStore;
import org.virtbackup.qemu.store.CheckpointTree;
import org.virtbackup.qemu.store.DomainLock;
import org.virtbackup.qemu.store.JobRecord;
import org.virtbackup.xml.BackupXml;
import org.virtbackup.xml.CheckpointAligner;
import org.virtbackup.xml.CheckpointXml;
import org.virtbackup.xml.model.BackupDiskDef;
import org.virtbackup.xml.model.CheckpointDef;
import org.virtbackup.xml.model.CheckpointDiskDef;
import org.virtbackup.xml.model.CheckpointType;

/** Checkpoint create, redefine and delete: bitmaps in QEMU first, then metadata (libvirt §4.5, §4.6). */
final class CheckpointService {

    private final DomainContext ctx;

    CheckpointService(DomainContext ctx) {
        this.ctx = ctx;
    }

    CheckpointDef create(String xml, Set<CheckpointCreateFlag> flags) {
        checkFlags(flags);
        try (DomainLock lock = ctx.lock()) {
            return flags.contains(CheckpointCreateFlag.REDEFINE) ? redefine(xml, flags) : createNew(xml);
        }
    }

    private CheckpointDef createNew(String xml) {
        CheckpointStore store = ctx.checkpoints();
        DomainView view = ctx.view();
        // the names only (as a backup's start takes them): the summaries, kept between calls, not every file parsed
        CheckpointDef def = BackupService.newCheckpoint(xml, view, store.summaries().keySet(), store.current(), Instant.now());
        List<String> disks = bitmapDisks(def);
        new PlanExecutor(ctx.qmp(), Journal.NONE, DomainContext.CREATE_JOB_TIMEOUT)
                .apply(CheckpointPlanner.planCreate(def.name().orElseThrow(), disks, view.graph()));
        BackupService.saveNewCheckpoint(store, def);
        return def;
    }

    private CheckpointDef redefine(String xml, Set<CheckpointCreateFlag> flags) {
        CheckpointStore store = ctx.checkpoints();
        CheckpointDef def = CheckpointAligner.alignRedefine(CheckpointXml.parseRedefine(xml));
        String name = def.name().orElseThrow();
        CheckpointTree tree = store.tree();
        tree.checkRedefine(name, def.parent());
        if (flags.contains(CheckpointCreateFlag.REDEFINE_VALIDATE)) {
            validateBitmaps(def, ctx.view());
        }
        Optional<String> current = store.current();
        store.save(def);
        // libvirt: the redefined checkpoint becomes current if its parent is the current one, or none is
        if (current.isEmpty() || def.parent().equals(current)) {
            store.setCurrent(Optional.of(name));
        }
        return def;
    }

    /** {@code REDEFINE_VALIDATE}: every bitmap disk still in the VM must have a usable chain (§2.4). */
    private static void validateBitmaps(CheckpointDef def, DomainView view) {
        for (CheckpointDiskDef d : def.disks()) {
            if (d.checkpoint() != CheckpointType.BITMAP) {
                continue;
            }
            String bitmap = d.bitmap().orElse(def.name().orElseThrow());
            view.graph().disk(d.name()).flatMap(b -> b.bitmapChainProblem(bitmap)).ifPresent(problem -> {
                throw new VirtBackupException(ErrorCode.CHECKPOINT_INCONSISTENT, ErrorDomain.QEMU,
                        "missing or broken bitmap '" + bitmap + "' for disk '" + d.name() + "': " + problem);
            });
        }
    }

    private static void checkFlags(Set<CheckpointCreateFlag> flags) {
        if (flags.contains(CheckpointCreateFlag.QUIESCE)) {
            if (flags.contains(CheckpointCreateFlag.REDEFINE)) {
                throw invalidArg("flags 'redefine' and 'quiesce' are mutually exclusive");
            }
            throw new VirtBackupException(ErrorCode.OPERATION_UNSUPPORTED, ErrorDomain.QEMU,
                    "cannot quiesce guest file systems: no guest agent is configured for this domain; freeze the "
                            + "file systems yourself (guest-fsfreeze-freeze) around the checkpoint");
        }
        if (flags.contains(CheckpointCreateFlag.REDEFINE_VALIDATE) && !flags.contains(CheckpointCreateFlag.REDEFINE)) {
            throw invalidArg("flag 'redefine' is required by flag 'redefine-validate'");
        }
    }

    void delete(String name, Set<CheckpointDeleteFlag> flags) {
        try (DomainLock lock = ctx.lock()) {
            CheckpointStore store = ctx.checkpoints();
            // the summaries (kept between calls) name each disk's bitmap; only reparented children are rewritten,
            // so only they are read whole (under the lock, a file the summaries found readable stays so)
            Map<String, CheckpointDef> summaries = store.summaries();
            CheckpointTree tree = store.tree();
            CheckpointDeletion deletion = CheckpointDeletion.plan(tree, name, store.current(), flags);
            refuseInUse(deletion.removed());
            if (!flags.contains(CheckpointDeleteFlag.METADATA_ONLY)) {
                DomainView view = ctx.view();
                // Every plan first: a checkpoint whose bitmap is missing is refused before any bitmap goes.
                List<Plan> plans = new ArrayList<>();
                for (String cp : deletion.removed()) {
                    // libvirt skips disks no longer in the VM; each disk's own bitmap name (redefine may differ)
                    Map<String, String> bitmaps = new LinkedHashMap<>(CheckpointSizer.bitmapByDisk(summaries.get(cp)));
                    bitmaps.keySet().removeIf(d -> view.graph().disk(d).isEmpty());
                    if (!bitmaps.isEmpty()) {
                        plans.add(CheckpointPlanner.planDelete(bitmaps, view.graph()));
                    }
                }
                PlanExecutor exec = new PlanExecutor(ctx.qmp(), Journal.NONE, DomainContext.CREATE_JOB_TIMEOUT);
                plans.forEach(exec::apply);
            }
            // Bitmaps first, then metadata: a crash in between leaves metadata whose bitmap is missing,
            // which reconciliation reports and METADATA_ONLY removes.
            Map<String, CheckpointDef> children = new LinkedHashMap<>();
            deletion.reparented().keySet().forEach(c -> children.put(c, store.load(c).orElseThrow()));
            removeMetadata(ctx, deletion, children);
        }
    }

    /**
     * The metadata part of a deletion ({@code all}: at least the reparented children, whole): children
     * reparented, the new current checkpoint set, then the removed checkpoints' files (and backup targets) deleted.
     * The current checkpoint is set before its file goes: a crash in between must not leave the domain without a
     * current checkpoint (the next one would be a root).
     */
    static void removeMetadata(DomainContext ctx, CheckpointDeletion deletion, Map<String, CheckpointDef> all) {
        CheckpointStore store = ctx.checkpoints();
        List<Runnable> changes = new ArrayList<>();
        deletion.reparented().forEach((child, parent) -> changes.add(() -> store.save(all.get(child).withParent(parent))));
        changes.add(() -> store.setCurrent(deletion.newCurrent()));
        deletion.removed().forEach(cp -> changes.add(() -> {
            store.delete(cp);
            ctx.jobs().deleteTargets(cp);
        }));
        for (int i = 0; i < changes.size(); i++) {
            Failpoint.at("checkpoint-delete", i);
            changes.get(i).run();
        }
    }

    /** A checkpoint the running backup reads from or created cannot go (libvirt's MODIFY job is refused too). */
    private void refuseInUse(List<String> removed) {
        Optional<JobRecord> job = ctx.jobs().current();
        if (job.isEmpty()) {
            return;
        }
        List<String> used = BackupXml.parseInternal(job.get().alignedXml()).disks().stream()
                .filter(BackupDiskDef::backup).flatMap(d -> d.incremental().stream()).toList();
        for (String cp : removed) {
            if (used.contains(cp) || cp.equals(job.get().checkpoint())) {
                throw new VirtBackupException(ErrorCode.OPERATION_INVALID, ErrorDomain.QEMU, "checkpoint '" + cp
                        + "' is in use by backup job " + job.get().jobId() + ": end the backup first");
            }
        }
    }

    static List<String> bitmapDisks(CheckpointDef def) {
        return def.disks().stream().filter(d -> d.checkpoint() == CheckpointType.BITMAP).map(CheckpointDiskDef::name).toList();
    }

    private static VirtBackupException invalidArg(String message) {
        return new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.DOMAIN_CHECKPOINT, message);
    }
}
