// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.virtbackup.api.BackupMode;

/**
 * Steps that create (unless {@code REUSE_EXTERNAL}) and open a target or scratch image, in libvirt's order
 * (libvirt-backup-reference.md §4.1 step 6): file, storage node, qcow2 format, format node. A raw target's file
 * gets the disk's size from a {@code blockdev-create} of the file.
 */
final class StoragePlanner {
    /** Backups hold guest data: readable by the owner only. */
    static final int FILE_MODE = 0600;

    private StoragePlanner() {
    }

    static List<Step> attach(BackupLayout layout, ResolvedDisk d) {
        DiskRequest r = d.request();
        Names names = new Names(layout.request().jobPrefix(), d.disk(), Names.role(layout.request()));
        boolean qcow2 = r.format() == DiskRequest.TargetFormat.QCOW2;
        List<Step> steps = new ArrayList<>();
        if (d.createsFile()) {
            steps.add(new Step.CreateFile(r.path(), FILE_MODE));
            // qcow2 grows from the empty file just created (as libvirt, no job for a local file); a raw target
            // is a file of the disk's virtual size
            if (!qcow2) {
                steps.addAll(createJob(names.createJob("storage"), new CreateOptions.File(r.path(), d.sourceSize())));
            }
        }
        steps.add(add(new BlockdevOptions.Storage(d.storageNode(), r.store() == DiskRequest.StoreType.BLOCK,
                r.path())));
        if (qcow2) {
            Backing b = backing(layout.mode(), d);
            if (!layout.request().reuseExternal()) {
                CreateOptions.Qcow2 create = new CreateOptions.Qcow2(d.storageNode(), d.sourceSize(),
                        d.sourceClusterSize() > 0 ? Optional.of(d.sourceClusterSize()) : Optional.empty(),
                        b.headerFile(), b.headerFormat());
                steps.addAll(createJob(names.createJob("format"), create));
            }
            steps.add(add(new BlockdevOptions.Qcow2(d.formatNode(), d.storageNode(), b.openNode())));
        } else {
            steps.add(add(new BlockdevOptions.Raw(d.formatNode(), d.storageNode())));
        }
        return steps;
    }

    /** What the new image records as backing file, and what it is opened with. */
    record Backing(Optional<String> headerFile, Optional<String> headerFormat, Optional<String> openNode) {
        static final Backing NONE = new Backing(Optional.empty(), Optional.empty(), Optional.empty());
    }

    /**
     * Pull scratch: the live disk, in header and graph, so that unchanged areas read through
     * (libvirt §4.4); none for a copy-before-write pull. Push full: none. Push incremental: the previous
     * backup in the header when the request names it, opened with {@code backing: null} because the job
     * only writes dirty clusters and never reads the target; otherwise libvirt's choice, the live disk (§4.3, notes §8 gotcha 14).
     */
    static Backing backing(BackupMode mode, ResolvedDisk d) {
        DiskRequest r = d.request();
        Backing live = new Backing(Optional.of(d.sourceFile()), Optional.of(d.sourceFormat()),
                Optional.of(d.sourceNode()));
        if (mode == BackupMode.PULL) {
            // cbw: the filter copies old data into the scratch; unchanged areas are read from the source by
            // snapshot-access, so the scratch needs no backing (notes §3 B)
            return d.cbw().isPresent() ? Backing.NONE : live;
        }
        if (!r.isIncremental()) {
            return Backing.NONE;
        }
        return r.backingTarget()
                .map(t -> new Backing(Optional.of(t.path()), Optional.of(t.format().qemuName()), Optional.empty()))
                .orElse(live);
    }

    private static Step add(BlockdevOptions options) {
        return new Step.QmpCall(Qmp.blockdevAdd(options), List.of(new Resource.Node(options.nodeName())),
                Optional.of(Step.QmpCall.of(Qmp.blockdevDel(options.nodeName()))));
    }

    /** {@code blockdev-create}, wait for it to conclude successfully, dismiss it (notes §1). */
    private static List<Step> createJob(String jobId, CreateOptions options) {
        return List.of(
                new Step.QmpCall(Qmp.blockdevCreate(jobId, options), List.of(new Resource.Job(jobId)),
                        Optional.of(new Step.DismissJob(jobId))),
                new Step.AwaitJob(jobId, JobOutcome.SUCCESS),
                new Step.DismissJob(jobId));
    }
}
