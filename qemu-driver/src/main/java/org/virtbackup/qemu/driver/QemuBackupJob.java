// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
import org.virtbackup.qemu.exec.QemuJobs;
import org.virtbackup.qemu.plan.BackupLayout;
import org.virtbackup.qemu.qmp.QmpEventListener;
import org.virtbackup.qemu.qmp.QmpException;
import org.virtbackup.qemu.store.JobRecord;

/**
 * A backup job as seen from one connection. Its state is read from QEMU ({@code query-jobs}) and the state
 * directory each time, so a job started by another process looks the same.
 */
final class QemuBackupJob implements BackupJob {

    private static final Duration TICK = Duration.ofMillis(500);

    private final DomainContext ctx;
    private final JobRecord rec;
    private final BackupLayout layout;

    QemuBackupJob(DomainContext ctx, JobRecord rec) {
        this.ctx = ctx;
        this.rec = rec;
        this.layout = BackupService.layoutOf(rec, ctx);
    }

    @Override
    public String id() {
        return rec.jobId();
    }

    @Override
    public BackupMode mode() {
        return BackupService.mode(rec);
    }

    private boolean stillCurrent() {
        return ctx.jobs().current().filter(r -> r.jobId().equals(rec.jobId())).isPresent();
    }

    @Override
    public JobInfo info() {
        if (!stillCurrent()) {
            return ctx.jobs().last().map(JobInfos::fromParams).orElse(JobInfos.none());
        }
        Map<String, JobResult> ours;
        try {
            ours = BackupEnder.ours(layout, QemuJobs.query(ctx.qmp()));
        } catch (VirtBackupException e) {
            return JobInfos.of(JobState.FAILED, mode(), BackupService.elapsed(rec), List.of(),
                    Optional.of("lost the connection to QEMU: " + e.getMessage()), rec.notes());
        }
        if (ours.size() < layout.disks().size()) {
            return JobInfos.of(JobState.FAILED, mode(), BackupService.elapsed(rec), ours.values(),
                    Optional.of("a backup job no longer exists in QEMU (QEMU restarted, or another client dismissed it)"),
                    rec.notes());
        }
        Optional<String> error = ours.values().stream().flatMap(j -> j.error().stream()).findFirst();
        JobState state = JobState.RUNNING;
        if (mode() == BackupMode.PUSH && ours.values().stream().allMatch(JobResult::isConcluded)) {
            state = error.isPresent() ? JobState.FAILED : JobState.COMPLETED;
        }
        return JobInfos.of(state, mode(), BackupService.elapsed(rec), ours.values(), error, rec.notes());
    }

    @Override
    public AutoCloseable onEvent(Consumer<JobEvent> listener) {
        QmpEventListener events = ctx.qmp().listen(Set.of("JOB_STATUS_CHANGE"), null);
        Thread pump = new Thread(() -> pump(events, listener), "virtbackup-events-" + rec.jobId());
        pump.setDaemon(true);
        pump.start();
        return () -> {
            events.close();
            pump.interrupt();
        };
    }

    /** Turns QEMU's job events (and a progress tick) into job events, until the job has ended. */
    private void pump(QmpEventListener events, Consumer<JobEvent> listener) {
        try {
            while (!Thread.currentThread().isInterrupted() && !events.isDisconnected()) {
                Optional<org.virtbackup.qemu.qmp.QmpEvent> e = events.poll(TICK);
                JobInfo info = info();
                if (e.isPresent() && "concluded".equals(e.get().dataText("status"))) {
                    String jobId = e.get().dataText("id");
                    layout.disks().stream().filter(d -> d.jobId().equals(jobId)).findFirst().ifPresent(d ->
                            listener.accept(new JobEvent(info.errorMessage().isPresent() ? JobEvent.Type.DISK_FAILED
                                    : JobEvent.Type.DISK_COMPLETED, Optional.of(d.disk()), info)));
                }
                if (info.state().isTerminal()) {
                    listener.accept(new JobEvent(JobEvent.Type.JOB_COMPLETED, Optional.empty(), info));
                    return;
                }
                listener.accept(new JobEvent(JobEvent.Type.PROGRESS, Optional.empty(), info));
            }
        } catch (QmpException | VirtBackupException ignored) {
            // the connection closed: the subscription ends with it
        }
    }

    @Override
    public JobInfo awaitCompletion(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        try (QmpEventListener events = ctx.qmp().listen(Set.of("JOB_STATUS_CHANGE"), null)) {
            while (true) {
                JobInfo info = info();
                if (info.state().isTerminal() || (mode() == BackupMode.PULL && !stillCurrent())) {
                    return info;
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new VirtBackupException(ErrorCode.OPERATION_TIMEOUT, ErrorDomain.QEMU, "backup job '"
                            + rec.jobId() + "' did not complete within " + timeout.toSeconds() + " s");
                }
                events.poll(TICK);
            }
        }
    }
}
