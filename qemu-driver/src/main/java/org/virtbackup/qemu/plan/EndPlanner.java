// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.virtbackup.api.BackupMode;

/**
 * Teardown plans (libvirt-backup-reference.md §4.8; qemu-7.2-qmp-notes.md §1, §3). Every step is
 * idempotent, so ending twice, or ending after a crash, is safe.
 */
final class EndPlanner {
    private EndPlanner() {
    }

    static Plan plan(BackupLayout layout, BackupPlanner.End end, boolean discardCheckpoint, Duration exportGrace) {
        List<Step> steps = new ArrayList<>();
        if (layout.mode() == BackupMode.PULL) {
            stopServing(layout, exportGrace, steps);
        }
        // pull jobs (sync=none) never complete: cancelling them is their normal end (notes §8 gotcha 8)
        if (end == BackupPlanner.End.CANCEL || layout.mode() == BackupMode.PULL) {
            layout.disks().forEach(d -> steps.add(new Step.CancelJob(d.jobId())));
        }
        Step.DeleteFile.When when = end == BackupPlanner.End.COMPLETED && layout.mode() == BackupMode.PUSH
                ? Step.DeleteFile.When.IF_BACKUP_FAILED : Step.DeleteFile.When.ALWAYS;
        layout.disks().forEach(d -> steps.addAll(closeOne(d, when)));
        if (discardCheckpoint && !layout.checkpointBitmaps().isEmpty()) {
            steps.add(CheckpointPlanner.removeAll(layout.checkpointBitmaps()));
        }
        return Plan.teardown(steps);
    }

    /**
     * Exports first (clients still connected get {@code exportGrace} to finish, then they are dropped, as
     * {@code nbd-server-stop} would drop them anyway), then the server and its TLS object.
     */
    static void stopServing(BackupLayout layout, Duration exportGrace, List<Step> steps) {
        deleteExports(layout, exportGrace, steps);
        stopServer(layout, steps);
    }

    /**
     * {@code nbd-server-stop} (which closes the listening socket, also one passed in), then the TLS object; with
     * {@code transport='fd'}, {@code closefd} of a descriptor a start that died before {@code nbd-server-start}
     * left in the monitor.
     */
    static void stopServer(BackupLayout layout, List<Step> steps) {
        steps.add(Step.QmpCall.of(Qmp.nbdServerStop()));
        layout.tlsObjectId().ifPresent(id -> steps.add(Step.QmpCall.of(Qmp.objectDel(id))));
        layout.request().server().map(NbdServer::address).filter(a -> a instanceof NbdAddress.Fd)
                .ifPresent(a -> steps.add(Step.QmpCall.of(Qmp.closefd(((NbdAddress.Fd) a).fdName()))));
    }

    /** Every export of the job, with one grace period for the clients of all. */
    static void deleteExports(BackupLayout layout, Duration exportGrace, List<Step> steps) {
        layout.disks().forEach(d -> d.exportId().ifPresent(id -> steps.add(new Step.DeleteExport(id, exportGrace))));
    }

    /**
     * Read the final job entry, dismiss it, remove the temporary bitmap (before its node goes, for pull),
     * close the target format node then its storage node (flushes, about 0.25 s per GiB target, notes §5),
     * delete the file virtbackup created when the backup did not complete.
     */
    private static List<Step> closeOne(ResolvedDisk d, Step.DeleteFile.When when) {
        List<Step> steps = new ArrayList<>();
        steps.add(new Step.AwaitJob(d.jobId(), JobOutcome.ANY));
        steps.add(new Step.DismissJob(d.jobId()));
        d.incremental().ifPresent(inc -> steps.add(Step.QmpCall.of(
                Qmp.blockDirtyBitmapRemove(inc.temporary().node(), inc.temporary().name()).toCommand())));
        steps.add(Step.QmpCall.of(Qmp.blockdevDel(d.formatNode())));
        steps.add(Step.QmpCall.of(Qmp.blockdevDel(d.storageNode())));
        if (d.createsFile()) {
            steps.add(new Step.DeleteFile(d.request().path(), when));
        }
        return steps;
    }
}
