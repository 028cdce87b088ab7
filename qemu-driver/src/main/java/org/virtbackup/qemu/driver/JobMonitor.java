// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.JobEvent;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.exec.JobResult;
import org.virtbackup.qemu.plan.ResolvedDisk;
import org.virtbackup.qemu.qmp.QmpEventListener;
import org.virtbackup.qemu.qmp.QmpException;

/**
 * Watches the domain's backup job for one connection: one thread, whatever the number of listeners and
 * waiters, fanning each look out to all of them. While it holds the QMP socket it learns from QEMU's
 * {@code JOB_STATUS_CHANGE} events the moment a job changes, and looks then; between events it looks every
 * {@link #TICK} (for {@code PROGRESS}). With {@code qmpHold=operation} it lets go of the socket every
 * {@link #SLICE} so that another client waiting for it (a CLI verb, another process) gets its turn; events
 * sent meanwhile go to that client, which is why every hold starts with a look.
 */
final class JobMonitor {

    /** How often the job is looked at without an event: the {@code PROGRESS} rate. */
    static final Duration TICK = Duration.ofMillis(500);
    /** How long one hold of the QMP socket lasts, with {@code qmpHold=operation}. */
    static final Duration SLICE = Duration.ofSeconds(2);

    private final QmpSession qmp;
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private Thread thread;
    private volatile boolean wake;
    /** The events the monitor waits on while it holds the socket, woken when a watcher is added. */
    private volatile QmpEventListener listening;
    private volatile boolean closed;

    JobMonitor(QmpSession qmp) {
        this.qmp = qmp;
    }

    /** A listener's or a waiter's interest in one job. */
    private static final class Watcher {
        final QemuBackupJob job;
        /** Null for a waiter. */
        final Consumer<JobEvent> listener;
        final CompletableFuture<JobInfo> done = new CompletableFuture<>();
        /** Disks that had concluded at the first look: not news to this listener. */
        private Set<String> concluded;

        Watcher(QemuBackupJob job, Consumer<JobEvent> listener) {
            this.job = job;
            this.listener = listener;
        }

        /** Delivers what a look showed; the completion exactly once, last. */
        synchronized void seen(QemuBackupJob.Seen s) {
            if (done.isDone()) {
                return;
            }
            disks(s);
            boolean finished = s.isFinal() || (job.mode() == BackupMode.PULL && s.over());
            if (finished) {
                complete(s.info());
            } else if (listener != null) {
                listener.accept(new JobEvent(JobEvent.Type.PROGRESS, Optional.empty(), s.info()));
            }
        }

        synchronized void complete(JobInfo info) {
            if (done.isDone()) {
                return;
            }
            if (listener != null) {
                listener.accept(new JobEvent(JobEvent.Type.JOB_COMPLETED, Optional.empty(), info));
            }
            done.complete(info);
        }

        /** {@code DISK_COMPLETED}/{@code DISK_FAILED} for each disk that concluded since the last look. */
        synchronized void disks(QemuBackupJob.Seen s) {
            if (listener == null || done.isDone()) {
                return;
            }
            if (concluded == null) {
                concluded = new HashSet<>();
                s.jobs().values().stream().filter(JobResult::isConcluded).forEach(j -> concluded.add(j.id()));
                return;
            }
            for (ResolvedDisk d : job.layout().disks()) {
                JobResult r = s.jobs().get(d.jobId());
                if (r != null && r.isConcluded() && concluded.add(d.jobId())) {
                    listener.accept(new JobEvent(r.error().isPresent() ? JobEvent.Type.DISK_FAILED
                            : JobEvent.Type.DISK_COMPLETED, Optional.of(d.disk()), s.info()));
                }
            }
        }
    }

    /** Registers a listener; closing the handle unregisters it. */
    AutoCloseable subscribe(QemuBackupJob job, Consumer<JobEvent> listener) {
        Watcher w = new Watcher(job, listener);
        add(w);
        return () -> watchers.remove(w);
    }

    /**
     * Waits until the job is over: a push completed or failed (and ended by the look that saw it), a pull
     * ended by anyone or failed.
     */
    JobInfo await(QemuBackupJob job, Duration timeout) {
        try {
            QemuBackupJob.Seen first = observe(job);
            if (first.isFinal() || (job.mode() == BackupMode.PULL && first.over())) {
                deliver(job, first); // listeners get the completion before the waiter returns
                return first.info();
            }
        } catch (VirtBackupException e) {
            if (!QemuBackupJob.isTransient(e)) {
                throw e;
            }
            trouble = e.getMessage(); // busy: the monitor looks again
        }
        Watcher w = new Watcher(job, null);
        add(w);
        try {
            return w.done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new VirtBackupException(ErrorCode.OPERATION_TIMEOUT, ErrorDomain.QEMU, "backup job '" + job.id()
                    + "' did not complete within " + timeout.toSeconds() + " s" + lastTrouble());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VirtBackupException(ErrorCode.OPERATION_ABORTED, ErrorDomain.QEMU, "interrupted while "
                    + "waiting for backup job '" + job.id() + "'", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof VirtBackupException v ? v : new VirtBackupException(ErrorCode.INTERNAL_ERROR,
                    ErrorDomain.QEMU, "watching backup job '" + job.id() + "' failed: " + e.getCause(), e.getCause());
        } finally {
            watchers.remove(w);
        }
    }

    /** Why the last look failed, if it did (socket busy, say): told when a wait times out. */
    private volatile String trouble = "";

    private String lastTrouble() {
        return trouble.isEmpty() ? "" : "; at the last look: " + trouble;
    }

    /** Stops watching: the connection closes. Waiters fail, listeners hear nothing more. */
    void close() {
        closed = true;
        VirtBackupException gone = new VirtBackupException(ErrorCode.OPERATION_INVALID, ErrorDomain.QEMU,
                "the connection was closed while waiting for the backup job");
        watchers.forEach(w -> w.done.completeExceptionally(gone));
        watchers.clear();
        synchronized (this) {
            if (thread != null) {
                thread.interrupt();
            }
        }
    }

    private void add(Watcher w) {
        if (closed) {
            throw new VirtBackupException(ErrorCode.OPERATION_INVALID, ErrorDomain.QEMU, "the connection is closed");
        }
        watchers.add(w);
        wake = true;
        QmpEventListener waiting = listening;
        if (waiting != null) {
            waiting.wake();
        }
        synchronized (this) {
            if (thread == null) {
                thread = new Thread(this::run, "virtbackup-job-monitor");
                thread.setDaemon(true);
                thread.start();
            }
        }
    }

    private void run() {
        while (true) {
            synchronized (this) {
                if (watchers.isEmpty() || closed) {
                    thread = null;
                    return;
                }
            }
            try (QmpSession.Operation op = qmp.begin();
                    QmpEventListener events = qmp.channel().listen(Set.of("JOB_STATUS_CHANGE"), null)) {
                Instant sliceEnd = qmp.holdsConnection() ? Instant.MAX : Instant.now().plus(SLICE);
                listening = events;
                while (!watchers.isEmpty() && !closed && Instant.now().isBefore(sliceEnd) && !events.isDisconnected()) {
                    lookAll();
                    awaitChange(events, sliceEnd);
                }
            } catch (QmpException | VirtBackupException e) {
                if (!QemuBackupJob.isTransient(e)) {
                    VirtBackupException v = e instanceof QmpException q ? q.toVirtBackupException() : (VirtBackupException) e;
                    watchers.forEach(w -> w.done.completeExceptionally(v));
                    watchers.clear();
                    continue;
                }
                trouble = e.getMessage();
                pause(TICK); // the socket was busy for the whole wait, or a look failed: try again
            } finally {
                listening = null;
            }
        }
    }

    /** One look per watched job, fanned out: listeners first, so that a waiter returns after their completion. */
    private void lookAll() {
        Map<String, QemuBackupJob> jobs = new LinkedHashMap<>();
        watchers.forEach(w -> jobs.putIfAbsent(w.job.id(), w.job));
        for (QemuBackupJob job : jobs.values()) {
            try {
                deliver(job, observe(job));
                trouble = "";
            } catch (VirtBackupException e) {
                if (!QemuBackupJob.isTransient(e)) {
                    throw e;
                }
                trouble = e.getMessage();
            }
        }
    }

    /**
     * A look, and the end of a push it found finished. Listeners hear which disks concluded the moment the look
     * saw them, before the end closes the targets; the completion follows the end.
     */
    private QemuBackupJob.Seen observe(QemuBackupJob job) {
        QemuBackupJob.Seen s = job.look();
        if (!s.over() && s.info().state().isTerminal()) {
            watchers.stream().filter(w -> w.job.id().equals(job.id()) && w.listener != null)
                    .forEach(w -> w.disks(s));
            return job.settle(s);
        }
        return s;
    }

    private void deliver(QemuBackupJob job, QemuBackupJob.Seen s) {
        List<Watcher> mine = new ArrayList<>();
        watchers.stream().filter(w -> w.job.id().equals(job.id()) && w.listener != null).forEach(mine::add);
        watchers.stream().filter(w -> w.job.id().equals(job.id()) && w.listener == null).forEach(mine::add);
        for (Watcher w : mine) {
            w.seen(s);
            if (w.done.isDone()) {
                watchers.remove(w);
            }
        }
    }

    /** Until an event, a new watcher, the next tick or the end of the hold, whichever comes first. */
    private void awaitChange(QmpEventListener events, Instant sliceEnd) {
        Instant tick = Instant.now().plus(TICK);
        Instant until = tick.isBefore(sliceEnd) ? tick : sliceEnd;
        while (!wake && !closed) {
            Duration left = Duration.between(Instant.now(), until);
            if (left.isNegative() || left.isZero() || events.isDisconnected()) {
                return;
            }
            if (events.poll(left).isPresent()) { // empty: the time is up, or a watcher was added
                events.drain();
                return;
            }
        }
        wake = false;
    }

    private void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }
}
