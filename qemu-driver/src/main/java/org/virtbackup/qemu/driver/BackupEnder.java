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
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtbackup.api.BackupEndDryRun;
import org.virtbackup.api.BackupEndFlag;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.CheckpointDeleteFlag;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.exec.GuestState;
import org.virtbackup.qemu.exec.JobResult;
import org.virtbackup.qemu.exec.Journal;
import org.virtbackup.qemu.exec.PlanExecutor;
import org.virtbackup.qemu.plan.BackupLayout;
import org.virtbackup.qemu.plan.BackupPlanner;
import org.virtbackup.qemu.plan.Plan;
import org.virtbackup.qemu.plan.PlanJson;
import org.virtbackup.qemu.plan.ResolvedDisk;
import org.virtbackup.qemu.plan.Resource;
import org.virtbackup.qemu.store.CheckpointDeletion;
import org.virtbackup.qemu.store.CheckpointStore;
import org.virtbackup.qemu.store.CheckpointTree;
import org.virtbackup.qemu.store.DomainLock;
import org.virtbackup.qemu.store.JobRecord;
import org.virtbackup.qemu.store.JobStore;
import org.virtbackup.xml.BackupXml;
import org.virtbackup.xml.model.ServerDef;
import org.virtbackup.xml.model.Transport;

/**
 * Ending a backup job, from any process: decide how it ended ({@link JobVerdict}), tear down with the end
 * plan, record the result. A push that completed or failed is ended without {@code backupEnd} by whoever sees
 * it first ({@link #settle}), as libvirt finalizes a finished push job.
 */
final class BackupEnder {

    private static final Logger LOG = LoggerFactory.getLogger(BackupEnder.class);

    /** The final info's note when the guest shut down during a {@code PRESERVE_ON_GUEST_SHUTDOWN} job. */
    static final String SHUT_DOWN_NOTE = "the guest shut down during the backup; QEMU was kept until the job ended "
            + "and is stopped now, as the guest asked";

    /** In the decision an end records before tearing down: whether it removes the job's checkpoint. */
    private static final String DISCARD_DECIDED = "discardCheckpoint";

    private final DomainContext ctx;

    BackupEnder(DomainContext ctx) {
        this.ctx = ctx;
    }

    JobInfo end(Set<BackupEndFlag> flags) {
        try (DomainLock lock = ctx.lock(); QmpSession.Operation op = ctx.operation()) {
            return endLocked(flags);
        }
    }

    /** {@link #end}, the caller holding the domain lock. */
    JobInfo endLocked(Set<BackupEndFlag> flags) {
        JobStore jobs = ctx.jobs();
        Optional<JobRecord> current = jobs.current();
        if (current.isEmpty()) {
            // Idempotent: a second end reports how the job ended.
            return jobs.last().map(JobInfos::fromParams).orElseThrow(BackupService::noBackup);
        }
        JobRecord rec = current.get();
        JobInfo info = ctx.qemuAnswers() ? endLive(rec, flags, Optional.empty()) : endOffline(rec);
        jobs.finish(JobInfos.toStored(info));
        return info;
    }

    /**
     * Ends the domain's push job if it completed or failed (libvirt's lifecycle: a finished push does not wait
     * for {@code backupEnd}): its targets closed, temporary bitmaps removed, the checkpoint of a failed push
     * removed, the statistics recorded for {@code jobInfo(true)}. Does nothing without such a job, or while no
     * QEMU can be asked.
     *
     * @return the final statistics of the job it ended
     */
    Optional<JobInfo> settle() {
        Optional<JobRecord> rec = ctx.jobs().current();
        if (rec.isEmpty() || !settleable(rec.get())) {
            return Optional.empty();
        }
        try (DomainLock lock = ctx.lock(); QmpSession.Operation op = ctx.operation()) {
            return settleLocked();
        }
    }

    /** {@link #settle}, the caller holding the domain lock. */
    Optional<JobInfo> settleLocked() {
        Optional<JobRecord> current = ctx.jobs().current();
        if (current.isEmpty() || !settleable(current.get()) || !qemuAnswers()) {
            return Optional.empty();
        }
        JobRecord rec = current.get();
        BackupLayout layout = ctx.layoutOf(rec);
        Decision seen;
        try {
            JobVerdict.Look look = JobVerdict.Look.read(ctx.qmp(), layout);
            seen = new Decision(JobVerdict.judge(rec, layout.disks().size(), look, false), look.jobs());
        } catch (VirtBackupException e) {
            LOG.debug("could not look at job {} to end it: {}", rec.jobId(), e.getMessage());
            return Optional.empty(); // a failed look is not a finished job: the next look ends it
        }
        if (!seen.info().state().isTerminal()) {
            return Optional.empty();
        }
        JobInfo ended = endLive(rec, Set.of(), Optional.of(seen));
        ctx.jobs().finish(JobInfos.toStored(ended));
        return Optional.of(ended);
    }

    private static boolean settleable(JobRecord rec) {
        return rec.mode() == BackupMode.PUSH && rec.phase() == JobRecord.Phase.RUNNING;
    }

    private boolean qemuAnswers() {
        try {
            return ctx.qemuAnswers();
        } catch (VirtBackupException e) {
            return false; // busy: the next look settles it
        }
    }

    /**
     * How a job ended, and the {@code query-jobs} entries of its jobs it was judged from (none when it was read
     * from the record of an end that died): the end plan starts from them instead of asking QEMU again.
     */
    private record Decision(JobInfo info, Map<String, JobResult> jobs) {
    }

    /**
     * Tears a job down in a QEMU that runs.
     *
     * @param decided how the job ended, when the caller judged it already
     */
    private JobInfo endLive(JobRecord rec, Set<BackupEndFlag> flags, Optional<Decision> decided) {
        BackupLayout layout = ctx.layoutOf(rec);
        // Decide how the job ended once, and record it before tearing anything down: an end that dies halfway
        // must not be re-decided from what it already removed (dismissed jobs would look "never copied", and
        // the targets of a completed backup would be deleted).
        Decision decision = decided.orElseGet(() -> decide(rec, layout));
        JobInfo info = decision.info();
        if (rec.options().preserveOnShutdown() && rec.phase() != JobRecord.Phase.ENDING
                && GuestState.shutDown(ctx.qmp())) {
            info = JobInfos.withNote(info, SHUT_DOWN_NOTE);
        }
        // Once an end decided to discard the checkpoint, a re-run (perhaps without DISCARD_CHECKPOINT) must too:
        // the dead end may have removed its bitmaps already.
        boolean discard = discards(rec, flags, info) || discardDecided(rec);
        if (rec.phase() != JobRecord.Phase.ENDING) {
            Map<String, Object> stored = JobInfos.toStored(info);
            stored.put(DISCARD_DECIDED, discard);
            ctx.jobs().decided(stored);
            ctx.jobs().update(rec.withPhase(JobRecord.Phase.ENDING));
        }
        boolean keep = info.state() == JobState.COMPLETED && rec.mode() == BackupMode.PUSH;
        new PlanExecutor(ctx.qmp(), Journal.NONE, DomainContext.CREATE_JOB_TIMEOUT)
                .apply(endPlan(rec, layout, info.state(), discard), decision.jobs());
        if (discard) {
            forgetCheckpoint(rec.checkpoint());
        } else {
            // written without fsync at the start (BackupService): durable before anyone is told the job ended
            rec.newCheckpoint().ifPresent(cp -> ctx.checkpoints().sync(cp));
        }
        if (keep && !discard) {
            rec.newCheckpoint().ifPresent(cp -> ctx.jobs().saveTargets(cp, targets(layout)));
        }
        return info;
    }

    /** See {@link org.virtbackup.api.Domain#backupEndDryRun}. */
    BackupEndDryRun dryRun(Set<BackupEndFlag> flags) {
        JobRecord rec = ctx.jobs().current().orElseThrow(BackupService::noBackup);
        if (!ctx.qemuAnswers()) {
            return new BackupEndDryRun(offlineOutcome(rec), List.of()); // only files to delete: no QMP
        }
        BackupLayout layout = ctx.layoutOf(rec);
        JobInfo info = decide(rec, layout).info();
        Plan plan = endPlan(rec, layout, info.state(), discards(rec, flags, info));
        return new BackupEndDryRun(info, PlanJson.toQmpLines(plan).lines().toList());
    }

    /** Whether an end that died halfway had decided to discard the job's checkpoint. */
    private boolean discardDecided(JobRecord rec) {
        return rec.phase() == JobRecord.Phase.ENDING
                && ctx.jobs().last().map(p -> Boolean.TRUE.equals(p.get(DISCARD_DECIDED))).orElse(false);
    }

    /** How the job ends, decided once: an end that died halfway reads what it recorded before tearing down. */
    private Decision decide(JobRecord rec, BackupLayout layout) {
        Optional<JobInfo> recorded = rec.phase() == JobRecord.Phase.ENDING
                ? ctx.jobs().last().map(JobInfos::fromParams) : Optional.empty();
        if (recorded.isPresent()) {
            return new Decision(recorded.get(), Map.of());
        }
        JobVerdict.Look look = JobVerdict.Look.read(ctx.qmp(), layout);
        return new Decision(JobVerdict.judge(rec, layout.disks().size(), look, true), look.jobs());
    }

    /**
     * Whether the end removes the checkpoint the job created. A backup that did not complete takes it with it
     * (libvirt keeps it, and the next incremental then misses the changes this backup did not save); so does
     * {@code DISCARD_CHECKPOINT}, for a pull consumer that failed to read everything. A start that never
     * finished is cancelled, so it leaves nothing.
     */
    private static boolean discards(JobRecord rec, Set<BackupEndFlag> flags, JobInfo info) {
        return rec.newCheckpoint().isPresent()
                && (flags.contains(BackupEndFlag.DISCARD_CHECKPOINT) || info.state() != JobState.COMPLETED);
    }

    /**
     * The end plan: the layout's teardown, and for a start that never finished (cancelled) what it may have
     * left beyond the layout: {@code blockdev-create} jobs, and a guest it paused.
     */
    private Plan endPlan(JobRecord rec, BackupLayout layout, JobState state, boolean discard) {
        boolean keep = state == JobState.COMPLETED && rec.mode() == BackupMode.PUSH;
        BackupPlanner.Leftovers leftovers = BackupPlanner.Leftovers.NONE;
        if (state == JobState.CANCELLED) {
            Set<String> backupJobs = layout.disks().stream().map(ResolvedDisk::jobId).collect(Collectors.toSet());
            List<String> createJobs = rec.created().stream().filter(r -> r instanceof Resource.Job)
                    .map(r -> ((Resource.Job) r).id()).filter(id -> !backupJobs.contains(id)).toList();
            leftovers = new BackupPlanner.Leftovers(createJobs, rec.guestWasRunning());
        }
        return BackupPlanner.planEnd(layout, keep ? BackupPlanner.End.COMPLETED : BackupPlanner.End.CANCEL, discard,
                ctx.exportGrace(), leftovers);
    }

    /**
     * QEMU is gone (the guest shut down, or QEMU was stopped or killed): nothing to tear down in QEMU, but files
     * virtbackup created for a backup that can no longer complete are deleted, and so is the metadata of the
     * checkpoint the job created: an incremental from it would miss what this backup did not save. (After a
     * clean exit QEMU stored its bitmaps in the images: orphans the health report names, with their repair.)
     */
    private JobInfo endOffline(JobRecord rec) {
        for (Resource r : rec.created()) {
            if (r instanceof Resource.File f) {
                try {
                    Files.deleteIfExists(Path.of(f.path()));
                } catch (IOException e) {
                    LOG.warn("cannot delete '{}': {}", f.path(), e.getMessage());
                }
            }
        }
        deleteStaleSocket(rec);
        rec.newCheckpoint().ifPresent(this::forgetCheckpoint);
        return offlineOutcome(rec);
    }

    private static JobInfo offlineOutcome(JobRecord rec) {
        String checkpoint = rec.newCheckpoint().map(c -> "; its checkpoint '" + c + "' is discarded").orElse("");
        return JobInfos.of(JobState.FAILED, rec.mode(), JobInfos.elapsed(rec), List.of(),
                Optional.of("QEMU exited before the backup job ended (the guest shut down, or QEMU was stopped or "
                        + "killed)" + checkpoint), rec.notes());
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

}
