// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtbackup.api.BackupEndFlag;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.CheckpointDeleteFlag;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.qemu.exec.Journal;
import org.virtbackup.qemu.exec.JobResult;
import org.virtbackup.qemu.exec.PlanExecutor;
import org.virtbackup.qemu.exec.QemuJobs;
import org.virtbackup.qemu.plan.BackupLayout;
import org.virtbackup.qemu.plan.BackupPlanner;
import org.virtbackup.qemu.plan.ResolvedDisk;
import org.virtbackup.qemu.plan.Step;
import org.virtbackup.qemu.plan.Plan;
import org.virtbackup.qemu.plan.Qmp;
import org.virtbackup.qemu.plan.JobOutcome;
import org.virtbackup.qemu.qmp.QmpRunState;
import org.virtbackup.qemu.store.CheckpointDeletion;
import org.virtbackup.qemu.store.CheckpointStore;
import org.virtbackup.qemu.store.CheckpointTree;
import org.virtbackup.qemu.store.DomainLock;
import org.virtbackup.qemu.store.JobRecord;
import org.virtbackup.qemu.store.JobStore;
import org.virtbackup.xml.BackupXml;
import org.virtbackup.xml.model.ServerDef;
import org.virtbackup.xml.model.Transport;

/** Ending a backup job, from any process: decide how it ended, tear down, record the result. */
final class BackupEnder {

    private static final Logger LOG = LoggerFactory.getLogger(BackupEnder.class);

    private final DomainContext ctx;

    BackupEnder(DomainContext ctx) {
        this.ctx = ctx;
    }

    JobInfo end(Set<BackupEndFlag> flags) {
        JobStore jobs = ctx.jobs();
        try (DomainLock lock = ctx.lock()) {
            Optional<JobRecord> current = jobs.current();
            if (current.isEmpty()) {
                // Idempotent: a second end reports how the job ended.
                return jobs.last().map(JobInfos::fromParams).orElseThrow(BackupService::noBackup);
            }
            JobRecord rec = current.get();
            JobInfo info = ctx.qmp().state() == QmpRunState.RUNNING ? endLive(rec, flags) : endOffline(rec);
            jobs.saveLast(JobInfos.toStored(info));
            jobs.clear();
            return info;
        }
    }

    private JobInfo endLive(JobRecord rec, Set<BackupEndFlag> flags) {
        BackupLayout layout = BackupService.layoutOf(rec, ctx);
        BackupMode mode = BackupService.mode(rec);
        // A start that never finished (its process died) must leave nothing, like a start that failed: its
        // checkpoint goes too, whether its metadata was written or not (the start never returned it; the name
        // was free when it began, so the metadata can only be this start's).
        boolean unfinished = rec.phase().equals(JobRecord.STARTING) && rec.checkpoint() != null;
        boolean discard = rec.checkpoint() != null && (flags.contains(BackupEndFlag.DISCARD_CHECKPOINT) || unfinished);
        // Decide how the job ended once, and record it before tearing anything down: an end that dies halfway
        // must not be re-decided from what it already removed (dismissed jobs would look "never copied", and
        // the targets of a completed backup would be deleted).
        JobInfo info;
        if (rec.phase().equals(JobRecord.ENDING)) {
            info = ctx.jobs().last().map(JobInfos::fromParams).orElseGet(() -> decide(rec, layout, mode));
        } else {
            info = decide(rec, layout, mode);
            ctx.jobs().saveLast(JobInfos.toStored(info));
            ctx.jobs().save(rec.withPhase(JobRecord.ENDING));
        }
        boolean keep = info.state() == JobState.COMPLETED && mode == BackupMode.PUSH;
        new PlanExecutor(ctx.qmp(), Journal.NONE, DomainContext.CREATE_JOB_TIMEOUT)
                .apply(BackupPlanner.planEnd(layout, keep ? BackupPlanner.End.COMPLETED : BackupPlanner.End.CANCEL,
                        discard, ctx.exportGrace()));
        dismissLeftoverJobs(rec, layout);
        if (rec.guestToResume() && ctx.qmp().execute(Qmp.queryStatus()).path("status").asText("").equals("paused")) {
            // the start paused the guest around its point in time and died before resuming it
            ctx.qmp().execute(Qmp.cont());
        }
        if (keep && rec.checkpoint() != null && !discard) {
            ctx.jobs().saveTargets(rec.checkpoint(), targets(layout));
        }
        if (discard) {
            forgetCheckpoint(rec.checkpoint());
        }
        return info;
    }

    /** How the job ended, from QEMU's jobs before anything is torn down. */
    private JobInfo decide(JobRecord rec, BackupLayout layout, BackupMode mode) {
        // a cbw pull ended by its owner: completed, unless its snapshot broke before; one whose start never
        // finished is cancelled like any other (below)
        if (layout.request().cbw() && !rec.phase().equals(JobRecord.STARTING)) {
            return JobInfos.cbw(JobState.COMPLETED, BackupService.elapsed(rec), CbwStatus.read(ctx.qmp(), layout),
                    rec.notes());
        }
        Map<String, JobResult> before = ours(layout, QemuJobs.query(ctx.qmp()));
        boolean copied = mode == BackupMode.PUSH && rec.phase().equals(JobRecord.RUNNING)
                && before.size() == layout.disks().size() && before.values().stream().allMatch(JobResult::isConcluded);
        Optional<String> error = (mode == BackupMode.PULL ? failedBeforeEnd(before) : before).values().stream()
                .flatMap(j -> j.error().stream()).findFirst();
        JobState state = rec.phase().equals(JobRecord.STARTING) ? JobState.CANCELLED : finalState(mode, copied, error);
        return JobInfos.of(state, mode, BackupService.elapsed(rec), before.values(),
                state == JobState.CANCELLED ? Optional.of("Operation canceled") : error, rec.notes());
    }

    /**
     * Jobs the journal recorded that the end plan does not know: {@code blockdev-create} jobs of a start that
     * died between starting one and dismissing it.
     */
    private void dismissLeftoverJobs(JobRecord rec, BackupLayout layout) {
        Set<String> backupJobs = new java.util.HashSet<>(layout.disks().stream().map(ResolvedDisk::jobId).toList());
        List<Step> steps = new ArrayList<>();
        for (var r : rec.created()) {
            String job = r.path("job").asText("");
            if (!job.isEmpty() && !backupJobs.contains(job)) {
                steps.add(new Step.CancelJob(job));
                steps.add(new Step.AwaitJob(job, JobOutcome.ANY));
                steps.add(new Step.DismissJob(job));
            }
        }
        if (!steps.isEmpty()) {
            new PlanExecutor(ctx.qmp(), Journal.NONE, DomainContext.CREATE_JOB_TIMEOUT).apply(Plan.teardown(steps));
        }
    }

    /**
     * Pull: the fleecing jobs ({@code sync=none}) that ended on their own before the end; the others concluded
     * because the end cancelled them, and their "Operation canceled" is their normal end, not an error.
     */
    private static Map<String, JobResult> failedBeforeEnd(Map<String, JobResult> before) {
        Map<String, JobResult> m = new LinkedHashMap<>(before);
        m.values().removeIf(j -> !j.isConcluded());
        return m;
    }

    /**
     * libvirt's final status of a job that started (one whose start never finished is cancelled): a pull job
     * ended by its owner is completed; a push job is completed only when
     * every disk copied without error, failed when one reported an error, else cancelled (§3.4).
     */
    private static JobState finalState(BackupMode mode, boolean copied, Optional<String> error) {
        if (mode == BackupMode.PULL) {
            return JobState.COMPLETED;
        }
        if (copied) {
            return error.isPresent() ? JobState.FAILED : JobState.COMPLETED;
        }
        return JobState.CANCELLED;
    }

    /**
     * QEMU is gone (killed, or its socket closed): nothing to tear down in QEMU, but files virtbackup created
     * for a backup that can no longer complete are deleted.
     */
    private JobInfo endOffline(JobRecord rec) {
        for (var r : rec.created()) {
            if (r.has("file")) {
                try {
                    Files.deleteIfExists(Path.of(r.get("file").asText()));
                } catch (IOException e) {
                    LOG.warn("cannot delete '{}': {}", r.get("file").asText(), e.getMessage());
                }
            }
        }
        deleteStaleSocket(rec);
        return JobInfos.of(JobState.FAILED, BackupService.mode(rec), BackupService.elapsed(rec), java.util.List.of(),
                Optional.of("QEMU exited before the backup job ended"), rec.notes());
    }

    /**
     * Pull over a unix socket: QEMU unlinks its listening socket on {@code nbd-server-stop}, but not when it is
     * killed. The socket is removed when it is still a socket and nobody listens on it any more.
     */
    private static void deleteStaleSocket(JobRecord rec) {
        Optional<Path> socket = BackupXml.parseInternal(rec.alignedXml()).server()
                .filter(s -> s.transport() == Transport.UNIX).flatMap(ServerDef::socket).map(Path::of);
        if (socket.isEmpty() || !isSocket(socket.get())) {
            return;
        }
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket.get()))) {
            LOG.warn("'{}' still accepts connections; left in place", socket.get());
        } catch (IOException refused) {
            try {
                Files.deleteIfExists(socket.get());
            } catch (IOException e) {
                LOG.warn("cannot delete the stale NBD socket '{}': {}", socket.get(), e.getMessage());
            }
        }
    }

    private static boolean isSocket(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The metadata of a checkpoint whose bitmaps the end plan removed, as a METADATA_ONLY delete removes it
     * (none when the start died before writing it).
     */
    private void forgetCheckpoint(String name) {
        CheckpointStore store = ctx.checkpoints();
        CheckpointTree tree = store.tree();
        if (tree.contains(name)) {
            CheckpointService.removeMetadata(ctx, CheckpointDeletion.plan(tree, name, store.current(),
                    Set.of(CheckpointDeleteFlag.METADATA_ONLY)), store.loadAll());
        }
    }

    private static Map<String, JobRecord.BackingRef> targets(BackupLayout layout) {
        Map<String, JobRecord.BackingRef> m = new LinkedHashMap<>();
        for (ResolvedDisk d : layout.disks()) {
            m.put(d.disk(), new JobRecord.BackingRef(d.request().path(), d.request().format().qemuName()));
        }
        return m;
    }

    static Map<String, JobResult> ours(BackupLayout layout, Map<String, JobResult> all) {
        Map<String, JobResult> m = new LinkedHashMap<>();
        for (ResolvedDisk d : layout.disks()) {
            JobResult r = all.get(d.jobId());
            if (r != null) {
                m.put(d.jobId(), r);
            }
        }
        return m;
    }
}
