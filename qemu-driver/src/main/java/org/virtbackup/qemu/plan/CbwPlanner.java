// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Pull through {@code copy-before-write} + {@code snapshot-access} (qemu-7.2-qmp-notes.md §3 variants B and
 * C), the {@link PullMethod#CBW} way. No job: the filter under each guest device copies old data into a
 * scratch qcow2 without backing before the guest overwrites it; incremental disks pass the temporary merged
 * bitmap as the filter's {@code bitmap}, so only dirty clusters are copied.
 *
 * <p>Start: scratch images, NBD server, then with the guest paused (7.2 has no transaction action for
 * {@code blockdev-add} or {@code qom-set}, so pausing is what makes one point in time): the bitmap
 * transaction, and per disk the filter, the device's {@code drive} moved onto it, the snapshot-access node;
 * the guest resumes; the exports. End (gotcha 10): exports, snapshot-access, drive back, filter, scratch,
 * temporary bitmaps, server.
 */
final class CbwPlanner {
    /** A copy that takes longer fails with break-snapshot instead of stalling the guest write. */
    static final long CBW_TIMEOUT_SECONDS = 60;

    private CbwPlanner() {
    }

    static List<Step> pointInTime(BackupLayout layout) {
        List<Step> steps = new ArrayList<>();
        steps.add(new Step.PauseGuest());
        bitmapTransaction(layout).ifPresent(steps::add);
        for (ResolvedDisk d : layout.disks()) {
            ResolvedDisk.Cbw c = d.cbw().orElseThrow();
            steps.add(add(new BlockdevOptions.CopyBeforeWrite(c.filterNode(), d.sourceNode(), d.formatNode(),
                    d.incremental().map(ResolvedDisk.Incremental::temporary), CBW_TIMEOUT_SECONDS)));
            steps.add(new Step.SetDrive(c.devicePath(), d.sourceNode(), c.filterNode()));
            // the snapshot-access node must go before the drive moves back (notes §3 B): its undo runs first
            steps.add(add(new BlockdevOptions.SnapshotAccess(c.snapshotNode(), c.filterNode())));
        }
        steps.add(new Step.ResumeGuest());
        return steps;
    }

    /** Checkpoint bitmaps, then the temporary bitmaps and their merges; none when there is nothing to add. */
    private static Optional<Step> bitmapTransaction(BackupLayout layout) {
        List<TransactionAction> actions = new ArrayList<>();
        List<Resource> creates = new ArrayList<>();
        List<BitmapRef> all = new ArrayList<>();
        for (BitmapRef b : layout.checkpointBitmaps()) {
            actions.add(Qmp.blockDirtyBitmapAdd(b.node(), b.name()).persistent(true).disabled(false));
            creates.add(new Resource.Bitmap(b.node(), b.name()));
            all.add(b);
        }
        for (ResolvedDisk d : layout.disks()) {
            d.incremental().ifPresent(inc -> {
                BitmapRef t = inc.temporary();
                actions.add(Qmp.blockDirtyBitmapAdd(t.node(), t.name()).persistent(false).disabled(true)
                        .granularity(inc.granularity()));
                actions.add(Qmp.blockDirtyBitmapMerge(t.node(), t.name(), inc.sources()));
                creates.add(new Resource.Bitmap(t.node(), t.name()));
                all.add(t);
            });
        }
        if (actions.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Step.Transaction(actions, creates, List.of(CheckpointPlanner.removeAll(all))));
    }

    /** The read-only export of the snapshot-access node; bitmaps named with their node (gotcha 9). */
    static Step export(ResolvedDisk d) {
        String id = d.exportId().orElseThrow();
        List<BitmapRef> bitmaps = d.incremental().map(inc -> List.of(inc.temporary())).orElse(List.of());
        return new Step.QmpCall(Qmp.blockExportAddNodeBitmaps(id, d.exportedNode(),
                d.request().effectiveExportName(), bitmaps),
                List.of(new Resource.Export(id)), Optional.of(Step.QmpCall.of(Qmp.blockExportDel(id, true))));
    }

    /** The teardown in the order of notes §3 B / gotcha 10; every step is idempotent. */
    static Plan end(BackupLayout layout, boolean discardCheckpoint, Duration exportGrace) {
        List<Step> steps = new ArrayList<>();
        EndPlanner.deleteExports(layout, exportGrace, steps);
        List<BitmapRef> temporary = new ArrayList<>();
        for (ResolvedDisk d : layout.disks()) {
            ResolvedDisk.Cbw c = d.cbw().orElseThrow();
            steps.add(Step.QmpCall.of(Qmp.blockdevDel(c.probeNode()))); // left by a process that died probing
            steps.add(Step.QmpCall.of(Qmp.blockdevDel(c.snapshotNode())));
            steps.add(new Step.SetDrive(c.devicePath(), c.filterNode(), d.sourceNode(), false));
            steps.add(Step.QmpCall.of(Qmp.blockdevDel(c.filterNode())));
            steps.add(Step.QmpCall.of(Qmp.blockdevDel(d.formatNode())));
            steps.add(Step.QmpCall.of(Qmp.blockdevDel(d.storageNode())));
            if (d.createsFile()) {
                steps.add(new Step.DeleteFile(d.request().path(), Step.DeleteFile.When.ALWAYS));
            }
            d.incremental().ifPresent(inc -> temporary.add(inc.temporary()));
        }
        // one call per bitmap: a missing one is fine in a teardown, and must not keep the others
        temporary.forEach(t -> steps.add(Step.QmpCall.of(Qmp.blockDirtyBitmapRemove(t.node(), t.name()).toCommand())));
        if (discardCheckpoint && !layout.checkpointBitmaps().isEmpty()) {
            steps.add(CheckpointPlanner.removeAll(layout.checkpointBitmaps()));
        }
        EndPlanner.stopServer(layout, steps);
        return Plan.teardown(steps);
    }

    private static Step add(BlockdevOptions options) {
        return new Step.QmpCall(Qmp.blockdevAdd(options), List.of(new Resource.Node(options.nodeName())),
                Optional.of(Step.QmpCall.of(Qmp.blockdevDel(options.nodeName()))));
    }
}
