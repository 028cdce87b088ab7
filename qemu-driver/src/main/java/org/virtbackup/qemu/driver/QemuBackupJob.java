// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
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
import org.virtbackup.qemu.plan.ResolvedDisk;
import org.virtbackup.qemu.qmp.QmpException;
import org.virtbackup.qemu.qmp.QmpRunState;
import org.virtbackup.qemu.qmp.QmpStateException;
import org.virtbackup.qemu.store.JobRecord;

/**
 * A backup job as seen from one connection. Its state is read from QEMU ({@code query-jobs}) and the state
 * directory each time, so a job started by another process looks the same.
 */
final class QemuBackupJob implements BackupJob {

    /** How often listeners get {@code PROGRESS}. */
    private static final Duration TICK = Duration.ofMillis(500);
    /** How often {@link #awaitCompletion} looks: completion is seen at most this late. */
    private static final Duration AWAIT_TICK = Duration.ofMillis(200);

    private final DomainContext ctx;
    private final JobRecord rec;
    private BackupLayout layout;

    QemuBackupJob(DomainContext ctx, JobRecord rec) {
        this.ctx = ctx;
        this.rec = rec;
    }

    /** Computed on first need: it needs QEMU's capabilities, which a job whose QEMU died cannot give. */
    private synchronized BackupLayout layout() {
        if (layout == null) {
            layout = BackupService.layoutOf(rec, ctx);
        }
        return layout;
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

    /** What one look at QEMU's jobs showed: the job's state, and each of our QMP jobs by id. */
    private record Snapshot(JobInfo info, Map<String, JobResult> jobs) {
    }

    @Override
    public JobInfo info() {
        return snapshot().info();
    }

    /**
     * One {@code query-jobs}: one short use of the QMP socket (a connection of its own unless the caller's
     * operation, or {@code qmpHold=connection}, holds it).
     *
     * @throws VirtBackupException when the look failed but QEMU still answers ({@code RESOURCE_BUSY} when another
     *     client holds the socket): the job's state is then unknown, not failed; or when this connection was
     *     closed. The job counts as failed only when no QEMU answers any more.
     */
    private Snapshot snapshot() {
        boolean live = ctx.jobs().current().filter(r -> r.jobId().equals(rec.jobId()))
                .filter(r -> !r.phase().equals(JobRecord.ENDING)).isPresent();
        if (!live) {
            // ended, or an end decided the outcome and is (or was, before it died) tearing down
            return new Snapshot(ctx.jobs().last().map(JobInfos::fromParams).orElse(JobInfos.none()), Map.of());
        }
        Map<String, JobResult> ours;
        try {
            if (layout().request().cbw()) { // no jobs: scratch use and snapshot health are measured
                CbwStatus.Status status;
                try {
                    status = CbwStatus.read(ctx.qmp(), layout());
                } catch (QmpException e) {
                    throw e.toVirtBackupException();
                }
                return new Snapshot(JobInfos.cbw(JobState.RUNNING, BackupService.elapsed(rec), status, rec.notes()),
                        Map.of());
            }
            Map<String, JobResult> all = QemuJobs.query(ctx.qmp());
            ours = BackupEnder.ours(layout(), all);
        } catch (VirtBackupException e) {
            if (!isTransient(e) || qemuAnswers()) {
                throw e; // this look failed, not the job
            }
            return new Snapshot(JobInfos.of(JobState.FAILED, mode(), BackupService.elapsed(rec), List.of(),
                    Optional.of("lost the connection to QEMU: " + e.getMessage()), rec.notes()), Map.of());
        }
        if (ours.size() < layout().disks().size()) {
            return new Snapshot(JobInfos.of(JobState.FAILED, mode(), BackupService.elapsed(rec), ours.values(),
                    Optional.of("a backup job no longer exists in QEMU (QEMU restarted, or another client dismissed it)"),
                    rec.notes()), ours);
        }
        Optional<String> error = ours.values().stream().flatMap(j -> j.error().stream()).findFirst();
        JobState state = JobState.RUNNING;
        if (mode() == BackupMode.PUSH && ours.values().stream().allMatch(JobResult::isConcluded)) {
            state = error.isPresent() ? JobState.FAILED : JobState.COMPLETED;
        }
        return new Snapshot(JobInfos.of(state, mode(), BackupService.elapsed(rec), ours.values(), error, rec.notes()), ours);
    }

    /**
     * Whether a failed look may succeed later: anything but this connection having been closed. With a
     * connection per operation, a look can fail while QEMU and the job are fine (busy socket, a slow greeting).
     */
    private static boolean isTransient(VirtBackupException e) {
        return !(e.getCause() instanceof QmpStateException);
    }

    /** Whether a QEMU answers on the socket (a busy one counts): if not, it died and the job with it. */
    private boolean qemuAnswers() {
        try {
            return ctx.qmp().state() == QmpRunState.RUNNING;
        } catch (VirtBackupException e) {
            return e.code() == ErrorCode.RESOURCE_BUSY;
        }
    }

    /**
     * One listener: its own pump thread; events in order, {@code JOB_COMPLETED} once and last, by whoever sees
     * the end first (the pump, or {@link #awaitCompletion}).
     */
    private static final class Subscription {
        final Consumer<JobEvent> listener;
        private boolean completed;
        volatile boolean closed;

        Subscription(Consumer<JobEvent> listener) {
            this.listener = listener;
        }

        synchronized boolean completed() {
            return completed;
        }

        /** Delivers {@code event} unless the job's completion was delivered already. */
        synchronized void deliver(JobEvent event) {
            if (!completed) {
                listener.accept(event);
            }
        }

        synchronized void complete(JobInfo info) {
            if (!completed) {
                completed = true;
                listener.accept(new JobEvent(JobEvent.Type.JOB_COMPLETED, Optional.empty(), info));
            }
        }
    }

    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();

    /**
     * Delivered in order on a thread of the driver: {@code PROGRESS} about twice a second while the job runs,
     * {@code DISK_COMPLETED}/{@code DISK_FAILED} as disks conclude, and {@code JOB_COMPLETED} exactly once —
     * also to a listener registered after the job finished, and always before {@link #awaitCompletion}
     * returns. The driver polls QEMU's jobs, each look a short use of the QMP socket, so that other clients
     * can use the socket while the job runs; a look that finds the socket busy is skipped.
     */
    @Override
    public AutoCloseable onEvent(Consumer<JobEvent> listener) {
        Subscription sub = new Subscription(listener);
        subscriptions.add(sub);
        Thread pump = new Thread(() -> pump(sub), "virtbackup-events-" + rec.jobId());
        pump.setDaemon(true);
        pump.start();
        return () -> {
            sub.closed = true;
            subscriptions.remove(sub);
            pump.interrupt();
        };
    }

    private void pump(Subscription sub) {
        Set<String> concluded = null; // disks that concluded before the listener came are not news
        try {
            while (!sub.closed && !sub.completed()) {
                Optional<Snapshot> s = look();
                if (s.isPresent()) {
                    if (concluded == null) {
                        concluded = new HashSet<>(s.get().jobs().entrySet().stream().filter(e -> e.getValue().isConcluded())
                                .map(Map.Entry::getKey).toList());
                    }
                    disksConcluded(sub, s.get(), concluded);
                    if (s.get().info().state().isTerminal()) {
                        sub.complete(s.get().info());
                        return;
                    }
                    sub.deliver(new JobEvent(JobEvent.Type.PROGRESS, Optional.empty(), s.get().info()));
                }
                Thread.sleep(TICK.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the subscription was closed
        } catch (VirtBackupException ignored) {
            // the connection was closed: the subscription ends with it
        }
    }

    /** A snapshot, or empty when this look failed while QEMU is fine (the socket was busy, say). */
    private Optional<Snapshot> look() {
        try {
            return Optional.of(snapshot());
        } catch (VirtBackupException e) {
            if (isTransient(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private void disksConcluded(Subscription sub, Snapshot s, Set<String> concluded) {
        for (ResolvedDisk d : layout().disks()) {
            JobResult r = s.jobs().get(d.jobId());
            if (r != null && r.isConcluded() && concluded.add(d.jobId())) {
                sub.deliver(new JobEvent(r.error().isPresent() ? JobEvent.Type.DISK_FAILED : JobEvent.Type.DISK_COMPLETED,
                        Optional.of(d.disk()), s.info()));
            }
        }
    }

    /**
     * Polls QEMU's jobs, each look a short use of the QMP socket, so that it works from any connection (also
     * one that did not start the job) and lets other clients use the socket meanwhile.
     *
     * @throws VirtBackupException {@code OPERATION_TIMEOUT} when the job runs past {@code timeout} (or the socket
     *     stayed busy that long)
     */
    @Override
    public JobInfo awaitCompletion(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        String busy = "";
        while (true) {
            try {
                JobInfo info = snapshot().info();
                if (info.state().isTerminal() || (mode() == BackupMode.PULL && !stillCurrent())) {
                    subscriptions.forEach(sub -> sub.complete(info));
                    return info;
                }
                busy = "";
            } catch (VirtBackupException e) {
                if (!isTransient(e)) {
                    throw e;
                }
                busy = "; at the last look: " + e.getMessage();
            }
            if (Instant.now().isAfter(deadline)) {
                throw new VirtBackupException(ErrorCode.OPERATION_TIMEOUT, ErrorDomain.QEMU, "backup job '"
                        + rec.jobId() + "' did not complete within " + timeout.toSeconds() + " s" + busy);
            }
            try {
                Thread.sleep(AWAIT_TICK.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VirtBackupException(ErrorCode.OPERATION_ABORTED, ErrorDomain.QEMU, "interrupted while "
                        + "waiting for backup job '" + rec.jobId() + "'", e);
            }
        }
    }
}
