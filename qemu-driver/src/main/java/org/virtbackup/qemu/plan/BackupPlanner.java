// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.virtbackup.api.BackupMode;
import org.virtbackup.qemu.block.BlockGraph;
import org.virtbackup.qemu.qmp.QemuCapabilities;

/**
 * Plans backup start and end. Pure: the same request, graph and capabilities give an equal plan.
 *
 * <p>Start (libvirt-backup-reference.md §4.1–4.4): create and open every target or scratch image; pull:
 * TLS object and {@code nbd-server-start}; then one {@code transaction} holding the new checkpoint's
 * bitmaps, the temporary bitmaps and merges of incremental disks, and one {@code blockdev-backup} per disk
 * (the atomic point in time, in QEMU's default individual completion mode: grouped mode refuses bitmap
 * actions, qemu-7.2-qmp-notes.md §4); pull: the exports.
 */
public final class BackupPlanner {

    /** How the job ends. */
    public enum End {
        /** Every push job concluded on its own (successfully or not); pull: the normal end. */
        COMPLETED,
        /** The caller ends the job before completion: cancel, and delete the targets virtbackup created. */
        CANCEL
    }

    private BackupPlanner() {
    }

    /**
     * Validates the request against the graph and derives all names.
     *
     * @throws org.virtbackup.api.VirtBackupException with libvirt's code and message when the request does
     *     not fit the graph (unknown disk, broken bitmap chain → {@code CHECKPOINT_INCONSISTENT}, ...)
     */
    public static BackupLayout layout(BackupRequest request, BlockGraph graph, QemuCapabilities caps) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(graph, "graph");
        Objects.requireNonNull(caps, "caps");
        // x-perf is unstable API: only where this QEMU's schema offers it (notes §0, BENCHMARKS.md)
        return LayoutResolver.resolve(request.copyRange(request.copyRange() && caps.backupXPerf()), graph, caps);
    }

    /** The start plan; see the class documentation. Throws as {@link #layout}. */
    public static Plan planStart(BackupRequest request, BlockGraph graph, QemuCapabilities caps) {
        return planStart(layout(request, graph, caps));
    }

    /** The start plan of an already resolved layout. */
    public static Plan planStart(BackupLayout layout) {
        List<Step> steps = new ArrayList<>();
        if (layout.request().preserveOnShutdown()) {
            steps.add(new Step.QmpCall(Qmp.setShutdownAction("pause"), List.of(),
                    Optional.of(Step.QmpCall.of(Qmp.setShutdownAction("poweroff")))));
        }
        layout.disks().forEach(d -> steps.addAll(StoragePlanner.attach(layout, d)));
        if (layout.mode() == BackupMode.PULL) {
            steps.addAll(startServer(layout));
        }
        if (layout.request().cbw()) {
            steps.addAll(CbwPlanner.pointInTime(layout));
            layout.disks().forEach(d -> steps.add(CbwPlanner.export(d)));
            return Plan.start(steps);
        }
        steps.add(transaction(layout));
        if (layout.mode() == BackupMode.PULL) {
            layout.disks().forEach(d -> steps.add(export(d)));
        }
        return Plan.start(steps);
    }

    /** How long an end waits by default for NBD clients to disconnect before it drops them. */
    public static final Duration DEFAULT_EXPORT_GRACE = Duration.ofSeconds(5);

    /** The teardown plan with the {@linkplain #DEFAULT_EXPORT_GRACE default grace period}. */
    public static Plan planEnd(BackupLayout layout, End end, boolean discardCheckpoint) {
        return planEnd(layout, end, discardCheckpoint, DEFAULT_EXPORT_GRACE);
    }

    /**
     * The teardown plan; see {@link EndPlanner}.
     *
     * @param discardCheckpoint also remove the checkpoint created with the backup ({@code DISCARD_CHECKPOINT})
     * @param exportGrace pull: how long clients still connected to an export may go on reading before the
     *     export is deleted in {@code hard} mode (see {@link Step.DeleteExport})
     */
    public static Plan planEnd(BackupLayout layout, End end, boolean discardCheckpoint, Duration exportGrace) {
        return planEnd(layout, end, discardCheckpoint, exportGrace, Leftovers.NONE);
    }

    /**
     * What the end of a start that never finished (its process died) cleans up beyond the layout.
     *
     * @param jobs {@code blockdev-create} jobs the start recorded: it may have died between starting and
     *     dismissing one
     * @param pausedGuest the start paused a running guest around its point in time: resume it if still paused
     */
    public record Leftovers(List<String> jobs, boolean pausedGuest) {
        /** Nothing beyond the layout. */
        public static final Leftovers NONE = new Leftovers(List.of(), false);

        public Leftovers {
            jobs = List.copyOf(jobs);
        }
    }

    /**
     * The teardown plan with the leftovers of a start that never finished first: the guest resumed, then the
     * leftover jobs cancelled, awaited and dismissed (a create job holds the node the layout's steps delete).
     */
    public static Plan planEnd(BackupLayout layout, End end, boolean discardCheckpoint, Duration exportGrace,
            Leftovers leftovers) {
        List<Step> steps = new ArrayList<>();
        if (leftovers.pausedGuest()) {
            steps.add(new Step.ResumePausedGuest());
        }
        for (String job : leftovers.jobs()) {
            steps.add(new Step.CancelJob(job));
            steps.add(new Step.AwaitJob(job, JobOutcome.ANY));
            steps.add(new Step.DismissJob(job));
        }
        Plan base = layout.request().cbw() ? CbwPlanner.end(layout, discardCheckpoint, exportGrace)
                : EndPlanner.plan(layout, end, discardCheckpoint, exportGrace);
        steps.addAll(base.steps());
        if (layout.request().preserveOnShutdown()) {
            // QEMU's default again (it cannot be queried), then the shutdown the guest asked for meanwhile, if it did
            steps.add(Step.QmpCall.of(Qmp.setShutdownAction("poweroff")));
            steps.add(new Step.CompleteGuestShutdown());
        }
        return Plan.teardown(steps);
    }

    /** The NBD server's unix socket: only its owner may connect. */
    static final int SOCKET_MODE = 0600;

    private static List<Step> startServer(BackupLayout layout) {
        NbdServer server = layout.request().server().orElseThrow();
        List<Step> steps = new ArrayList<>();
        layout.tlsObjectId().ifPresent(id -> steps.add(new Step.QmpCall(
                Qmp.objectAddTlsCredsX509(id, server.tlsDir().orElseThrow(), server.tlsVerifyPeer()),
                List.of(new Resource.QomObject(id)), Optional.of(Step.QmpCall.of(Qmp.objectDel(id))))));
        if (server.address() instanceof NbdAddress.Fd fd) {
            steps.add(new Step.PassFd(fd.group(), fd.fdName()));
        }
        steps.add(new Step.QmpCall(Qmp.nbdServerStart(server.address(), layout.tlsObjectId()),
                List.of(new Resource.NbdServer()), Optional.of(Step.QmpCall.of(Qmp.nbdServerStop()))));
        if (server.address() instanceof NbdAddress.Unix u) {
            steps.add(new Step.SetMode(u.path(), SOCKET_MODE)); // before any export exists
        }
        return steps;
    }

    /** Checkpoint bitmaps first, then per disk: temporary bitmap, merge, backup job (libvirt's order). */
    private static Step transaction(BackupLayout layout) {
        List<TransactionAction> actions = new ArrayList<>();
        List<Resource> creates = new ArrayList<>();
        for (BitmapRef b : layout.checkpointBitmaps()) {
            actions.add(Qmp.blockDirtyBitmapAdd(b.node(), b.name()).persistent(true).disabled(false));
            creates.add(new Resource.Bitmap(b.node(), b.name()));
        }
        for (ResolvedDisk d : layout.disks()) {
            d.incremental().ifPresent(inc -> {
                BitmapRef t = inc.temporary();
                // NBD export bitmaps must be disabled, and a frozen copy keeps the checkpoint untouched (§8.9)
                actions.add(Qmp.blockDirtyBitmapAdd(t.node(), t.name()).persistent(false).disabled(true)
                        .granularity(inc.granularity()));
                actions.add(Qmp.blockDirtyBitmapMerge(t.node(), t.name(), inc.sources()));
                creates.add(new Resource.Bitmap(t.node(), t.name()));
            });
            actions.add(backupAction(layout.mode(), d).speed(layout.request().speedLimit())
                    .copyRange(layout.mode() == BackupMode.PUSH && layout.request().copyRange()));
            creates.add(new Resource.Job(d.jobId()));
        }
        return new Step.Transaction(actions, creates, undoTransaction(layout));
    }

    private static TransactionAction.BlockdevBackup backupAction(BackupMode mode, ResolvedDisk d) {
        if (mode == BackupMode.PULL) {
            return Qmp.blockdevBackup(d.jobId(), d.sourceNode(), d.formatNode(), Sync.NONE);
        }
        return d.incremental()
                .map(inc -> Qmp.blockdevBackup(d.jobId(), d.sourceNode(), d.formatNode(), Sync.INCREMENTAL)
                        .bitmap(inc.temporary().name()))
                .orElseGet(() -> Qmp.blockdevBackup(d.jobId(), d.sourceNode(), d.formatNode(), Sync.FULL));
    }

    /**
     * Reverting a started transaction: stop the jobs (a temporary bitmap is busy while its job runs), then
     * remove the temporary and the checkpoint bitmaps. Unlike libvirt, which keeps a checkpoint once its
     * transaction ran (§4.8 step 7), a failed start leaves nothing behind, so no checkpoint exists in QEMU
     * without metadata.
     */
    private static List<Step> undoTransaction(BackupLayout layout) {
        List<Step> undo = new ArrayList<>();
        layout.disks().forEach(d -> undo.add(new Step.CancelJob(d.jobId())));
        for (ResolvedDisk d : layout.disks()) {
            undo.add(new Step.AwaitJob(d.jobId(), JobOutcome.ANY));
            undo.add(new Step.DismissJob(d.jobId()));
        }
        List<BitmapRef> bitmaps = new ArrayList<>();
        layout.disks().forEach(d -> d.incremental().ifPresent(inc -> bitmaps.add(inc.temporary())));
        bitmaps.addAll(layout.checkpointBitmaps());
        if (!bitmaps.isEmpty()) {
            undo.add(CheckpointPlanner.removeAll(bitmaps));
        }
        return undo;
    }

    /** Read-only NBD export of the scratch node, with the temporary bitmap for incremental disks (§4.4 step 4). */
    private static Step export(ResolvedDisk d) {
        String id = d.exportId().orElseThrow();
        List<String> bitmaps = d.incremental().map(inc -> List.of(inc.temporary().name())).orElse(List.of());
        return new Step.QmpCall(Qmp.blockExportAdd(id, d.formatNode(), d.request().effectiveExportName(), bitmaps),
                List.of(new Resource.Export(id)), Optional.of(Step.QmpCall.of(Qmp.blockExportDel(id, true))));
    }
}
