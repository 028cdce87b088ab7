// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.JobEvent;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.exec.JobResult;
import org.virtbackup.qemu.plan.BackupLayout;
import org.virtbackup.qemu.plan.Qmp;
import org.virtbackup.qemu.qmp.QmpErrorException;
import org.virtbackup.qemu.qmp.QmpException;
import org.virtbackup.qemu.qmp.QmpStateException;
import org.virtbackup.qemu.store.DomainLock;
import org.virtbackup.qemu.store.JobRecord;

/**
 * A backup job as seen from one connection. Every look reads QEMU ({@code query-jobs}) and the state
 * directory, and applies {@link JobVerdict}, so a job started by another process looks the same. A look that
 * finds a push finished ends it ({@link BackupEnder#settle}), as libvirt does.
 */
final class QemuBackupJob implements BackupJob {

    private final DomainContext ctx;
    private final JobMonitor monitor;
    private final JobRecord rec;
    private final BackupLayout layout;

    /** @param layout the job's layout, computed from {@code rec} (or by the start that made it) */
    QemuBackupJob(DomainContext ctx, JobMonitor monitor, JobRecord rec, BackupLayout layout) {
        this.ctx = ctx;
        this.monitor = monitor;
        this.rec = rec;
        this.layout = layout;
    }

    /** The job on record, its layout computed from the record alone (no QEMU needed). */
    QemuBackupJob(DomainContext ctx, JobMonitor monitor, JobRecord rec) {
        this(ctx, monitor, rec, ctx.layoutOf(rec));
    }

    BackupLayout layout() {
        return layout;
    }

    @Override
    public String id() {
        return rec.jobId();
    }

    @Override
    public BackupMode mode() {
        return rec.mode();
    }

    /**
     * What one look showed.
     *
     * @param info the job's statistics and state
     * @param jobs our QMP jobs by id
     * @param over the job is no longer on record: ended, by this look or by anyone
     */
    record Seen(JobInfo info, Map<String, JobResult> jobs, boolean over) {
        boolean isFinal() {
            return over || info.state().isTerminal();
        }
    }

    @Override
    public JobInfo info() {
        return settle(look()).info();
    }

    /**
     * One look: one short use of the QMP socket (a connection of its own unless an operation of this
     * connection, or {@code qmpHold=connection}, holds it). It changes nothing: a push found finished is ended
     * by {@link #settle}.
     *
     * @throws VirtBackupException when the look failed but QEMU still answers ({@code RESOURCE_BUSY} when another
     *     client holds the socket): the job's state is then unknown, not failed; or when this connection was
     *     closed. The job counts as failed only when no QEMU answers any more.
     */
    Seen look() {
        try (QmpSession.Operation op = ctx.operation()) {
            return lookWithin();
        }
    }

    private Seen lookWithin() {
        Optional<JobRecord> now = ctx.jobs().current().filter(r -> r.jobId().equals(rec.jobId()))
                .filter(r -> r.phase() != JobRecord.Phase.ENDING);
        if (now.isEmpty()) {
            return ended(); // or an end decided the outcome and is (or was, before it died) tearing down
        }
        JobVerdict.Look look;
        try {
            look = JobVerdict.Look.read(ctx.qmp(), layout);
        } catch (VirtBackupException e) {
            if (!isTransient(e) || qemuAnswers()) {
                throw e; // this look failed, not the job
            }
            return new Seen(JobInfos.of(JobState.FAILED, mode(), JobInfos.elapsed(rec), List.of(),
                    Optional.of("lost the connection to QEMU: " + e.getMessage()), rec.notes()), Map.of(), false);
        }
        return new Seen(JobVerdict.judge(now.get(), layout.disks().size(), look, false), look.jobs(), false);
    }

    /**
     * What a look that found the job finished becomes: a push is ended (libvirt's lifecycle), and a job another
     * connection ended meanwhile (its jobs then look gone) reports what that end recorded.
     */
    Seen settle(Seen s) {
        if (s.over() || !s.info().state().isTerminal()) {
            return s;
        }
        if (mode() == BackupMode.PUSH) {
            Optional<JobInfo> ended = new BackupEnder(ctx).settle();
            if (ended.isPresent()) {
                return new Seen(ended.get(), s.jobs(), true);
            }
        }
        boolean over = ctx.jobs().current().filter(r -> r.jobId().equals(rec.jobId()))
                .filter(r -> r.phase() != JobRecord.Phase.ENDING).isEmpty();
        return over ? ended() : s;
    }

    private Seen ended() {
        return new Seen(ctx.jobs().last().map(JobInfos::fromParams).orElse(JobInfos.none()), Map.of(), true);
    }

    /**
     * Whether a failed look may succeed later: anything but this connection having been closed. With a
     * connection per operation, a look can fail while QEMU and the job are fine (busy socket, a slow greeting).
     */
    static boolean isTransient(RuntimeException e) {
        return !(e instanceof QmpStateException) && !(e.getCause() instanceof QmpStateException);
    }

    /** Whether a QEMU answers on the socket (a busy one counts): if not, it died and the job with it. */
    private boolean qemuAnswers() {
        try {
            return ctx.qemuAnswers();
        } catch (VirtBackupException e) {
            return e.code() == ErrorCode.RESOURCE_BUSY;
        }
    }

    /**
     * Delivered in order on the connection's monitor thread ({@link JobMonitor}): {@code PROGRESS} about twice a
     * second while the job runs, {@code DISK_COMPLETED}/{@code DISK_FAILED} as disks conclude, and
     * {@code JOB_COMPLETED} exactly once — also to a listener registered after the job finished, and always
     * before {@link #awaitCompletion} returns.
     */
    @Override
    public AutoCloseable onEvent(Consumer<JobEvent> listener) {
        return monitor.subscribe(this, listener);
    }

    /**
     * Waits on the connection's monitor: while it holds the QMP socket, QEMU's {@code JOB_STATUS_CHANGE} events
     * say at once when the job concluded; it lets go of the socket every few seconds so that other clients
     * get their turn.
     *
     * @throws VirtBackupException {@code OPERATION_TIMEOUT} when the job runs past {@code timeout} (or the socket
     *     stayed busy that long)
     */
    @Override
    public JobInfo awaitCompletion(Duration timeout) {
        return monitor.await(this, timeout);
    }

    @Override
    public void setSpeed(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.QEMU,
                    "speed must be a number of bytes per second >= 0, not " + bytesPerSecond);
        }
        if (mode() == BackupMode.PULL) {
            throw new VirtBackupException(ErrorCode.OPERATION_INVALID, ErrorDomain.QEMU, "a pull backup copies "
                    + "nothing on its own (its scratch only takes old data the guest overwrites): no speed to set");
        }
        try (DomainLock lock = ctx.lock(); QmpSession.Operation op = ctx.operation()) {
            JobRecord now = ctx.jobs().current().filter(r -> r.jobId().equals(rec.jobId()))
                    .filter(r -> r.phase() == JobRecord.Phase.RUNNING)
                    .orElseThrow(() -> new VirtBackupException(ErrorCode.OPERATION_INVALID, ErrorDomain.QEMU,
                            "backup job '" + rec.jobId() + "' no longer runs"));
            for (JobResult j : JobVerdict.Look.read(ctx.qmp(), layout).jobs().values()) {
                if (!j.isConcluded()) {
                    setSpeed(j.id(), bytesPerSecond);
                }
            }
            ctx.jobs().update(now.withOptions(now.options().withSpeedLimit(bytesPerSecond)));
        }
    }

    /** A copy that concluded between the look and the change needs no speed. */
    private void setSpeed(String jobId, long bytesPerSecond) {
        try {
            ctx.qmp().execute(Qmp.blockJobSetSpeed(jobId, bytesPerSecond));
        } catch (QmpErrorException e) {
            JobResult after = JobVerdict.Look.read(ctx.qmp(), layout).jobs().get(jobId);
            if (after != null && !after.isConcluded()) {
                throw e.toVirtBackupException();
            }
        } catch (QmpException e) {
            throw e.toVirtBackupException();
        }
    }
}
