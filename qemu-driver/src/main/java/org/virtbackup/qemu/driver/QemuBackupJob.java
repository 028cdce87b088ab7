// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
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
import org.virtbackup.qemu.qmp.QmpEvent;
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
        boolean live = ctx.jobs().current().filter(r -> r.jobId().equals(rec.jobId()))
                .filter(r -> !r.phase().equals(JobRecord.ENDING)).isPresent();
        if (!live) {
            // ended, or an end decided the outcome and is (or was, before it died) tearing down
            return ctx.jobs().last().map(JobInfos::fromParams).orElse(JobInfos.none());
        }
        Map<String, JobResult> ours;
        try {
            if (layout.request().cbw()) { // no jobs: scratch use and snapshot health are measured
                return JobInfos.cbw(JobState.RUNNING, BackupService.elapsed(rec), CbwStatus.read(ctx.qmp(), layout),
                        rec.notes());
            }
            ours = BackupEnder.ours(layout, QemuJobs.query(ctx.qmp()));
        } catch (VirtBackupException | QmpException e) {
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

    /** One listener: its own pump thread; {@code JOB_COMPLETED} is delivered once, by whoever sees it first. */
    private static final class Subscription {
        final Consumer<JobEvent> listener;
        final AtomicBoolean completed = new AtomicBoolean();
        volatile boolean closed;

        Subscription(Consumer<JobEvent> listener) {
            this.listener = listener;
        }

        void complete(JobInfo info) {
            if (completed.compareAndSet(false, true)) {
                listener.accept(new JobEvent(JobEvent.Type.JOB_COMPLETED, Optional.empty(), info));
            }
        }
    }

    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();

    /**
     * Delivered in order on a thread of the driver: {@code PROGRESS} about twice a second while the job runs,
     * {@code DISK_COMPLETED}/{@code DISK_FAILED} as disks conclude, and {@code JOB_COMPLETED} exactly once —
     * also to a listener registered after the job finished, and always before {@link #awaitCompletion}
     * returns.
     */
    @Override
    public AutoCloseable onEvent(Consumer<JobEvent> listener) {
        Subscription sub = new Subscription(listener);
        subscriptions.add(sub);
        QmpEventListener events = ctx.qmp().listen(Set.of("JOB_STATUS_CHANGE"), null);
        Thread pump = new Thread(() -> pump(sub, events), "virtbackup-events-" + rec.jobId());
        pump.setDaemon(true);
        pump.start();
        return () -> {
            sub.closed = true;
            subscriptions.remove(sub);
            events.close();
        };
    }

    private void pump(Subscription sub, QmpEventListener events) {
        try {
            while (!sub.closed) {
                JobInfo info = info();
                if (info.state().isTerminal()) {
                    sub.complete(info);
                    return;
                }
                sub.listener.accept(new JobEvent(JobEvent.Type.PROGRESS, Optional.empty(), info));
                Optional<QmpEvent> e = events.poll(TICK);
                if (e.isPresent() && "concluded".equals(e.get().dataText("status"))) {
                    diskConcluded(sub, e.get().dataText("id"));
                }
            }
        } catch (QmpException | VirtBackupException ignored) {
            // the connection closed: the subscription ends with it
        }
    }

    private void diskConcluded(Subscription sub, String jobId) {
        layout.disks().stream().filter(d -> d.jobId().equals(jobId)).findFirst().ifPresent(d -> {
            JobInfo info = info();
            sub.listener.accept(new JobEvent(info.errorMessage().isPresent() ? JobEvent.Type.DISK_FAILED
                    : JobEvent.Type.DISK_COMPLETED, Optional.of(d.disk()), info));
        });
    }

    @Override
    public JobInfo awaitCompletion(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        try (QmpEventListener events = ctx.qmp().listen(Set.of("JOB_STATUS_CHANGE"), null)) {
            while (true) {
                JobInfo info = info();
                if (info.state().isTerminal() || (mode() == BackupMode.PULL && !stillCurrent())) {
                    subscriptions.forEach(sub -> sub.complete(info));
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
