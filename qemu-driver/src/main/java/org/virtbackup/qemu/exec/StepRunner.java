// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.exec;

import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.plan.JobOutcome;
import org.virtbackup.qemu.plan.Step;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.JobStatus;
import org.virtbackup.qemu.qmp.QemuErrors;
import org.virtbackup.qemu.qmp.QmpErrorException;
import org.virtbackup.qemu.qmp.QmpEvent;
import org.virtbackup.qemu.qmp.QmpEventListener;

/** Runs single steps for {@link PlanExecutor}, remembering the jobs it awaited. */
final class StepRunner {

    /** How often an await re-reads {@code query-jobs} in case an event was missed (e.g. after a reconnect). */
    private static final Duration RECHECK = Duration.ofMillis(500);

    private final QmpChannel qmp;
    private final QmpEventListener events;
    private final Duration jobTimeout;
    private final Map<String, JobResult> jobs = new LinkedHashMap<>();
    /** The last {@code query-jobs} of this plan run (at first: the caller's look just before it), by id. */
    private Map<String, JobResult> known;
    /** The last status of each job as QEMU's events told it, since the plan began. */
    private final Map<String, String> statuses = new HashMap<>();
    /** Whether a {@link Step.PauseGuest} of this plan paused a running guest that is not resumed yet. */
    private boolean pausedGuest;
    private final ExportDeleter exports;
    private final Function<String, Optional<FileDescriptor>> fdGroups;

    StepRunner(QmpChannel qmp, QmpEventListener events, Duration jobTimeout,
            Function<String, Optional<FileDescriptor>> fdGroups, Map<String, JobResult> lookedAt) {
        this.fdGroups = fdGroups;
        this.known = Map.copyOf(lookedAt);
        this.qmp = qmp;
        this.events = events;
        this.jobTimeout = jobTimeout;
        this.exports = new ExportDeleter(qmp);
    }

    Map<String, JobResult> jobs() {
        return jobs;
    }

    void run(Step step) {
        if (step instanceof Step.QmpCall c) {
            qmp.execute(c.qmp());
        } else if (step instanceof Step.Transaction t) {
            qmp.execute(t.command().orElseThrow());
        } else if (step instanceof Step.CreateFile f) {
            createFile(Path.of(f.path()), f.mode());
        } else if (step instanceof Step.DeleteFile d) {
            deleteFile(d);
        } else if (step instanceof Step.SetMode m) {
            setMode(Path.of(m.path()), m.mode());
        } else if (step instanceof Step.PassFd p) {
            FileDescriptor fd = fdGroups.apply(p.group()).orElseThrow(() -> new VirtBackupException(
                    ErrorCode.INVALID_ARG, ErrorDomain.QEMU, "unknown file descriptor group '" + p.group() + "'"));
            qmp.execute(p.command().orElseThrow(), fd);
        } else if (step instanceof Step.DeleteExport d) {
            exports.delete(d);
        } else if (step instanceof Step.AwaitJob a) {
            await(a);
        } else if (step instanceof Step.CancelJob c) {
            cancel(c.jobId());
        } else if (step instanceof Step.DismissJob d) {
            dismiss(d.jobId());
        } else if (step instanceof Step.PauseGuest) {
            pauseGuest();
        } else if (step instanceof Step.ResumeGuest) {
            resumeGuest();
        } else if (step instanceof Step.ResumePausedGuest) {
            if (qmp.execute(org.virtbackup.qemu.plan.Qmp.queryStatus()).path("status").asText("").equals("paused")) {
                qmp.execute(org.virtbackup.qemu.plan.Qmp.cont());
            }
        } else if (step instanceof Step.CompleteGuestShutdown) {
            if (GuestState.shutDown(qmp)) {
                qmp.execute(org.virtbackup.qemu.plan.Qmp.quit());
            }
        } else if (step instanceof Step.SetDrive d) {
            setDrive(d);
        } else {
            throw new IllegalStateException("unknown step " + step);
        }
    }

    /**
     * Runs an undo step. Undo reverts what may only partly exist: a node or bitmap that is already gone is
     * not an error.
     */
    void runUndo(Step step) {
        try {
            if (step instanceof Step.AwaitJob a) {
                awaitIfPresent(a);
            } else {
                run(step);
            }
        } catch (QmpErrorException e) {
            if (!QemuErrors.isAlreadyGone(e)) {
                throw e;
            }
        }
    }

    /**
     * In a teardown, a job that is already gone (dismissed by an earlier, interrupted end) is done. The look is
     * remembered, so a job it found concluded is not asked about again.
     */
    private void awaitIfPresent(Step.AwaitJob a) {
        if (queryJobs().containsKey(a.jobId())) {
            await(a);
        }
    }

    private static void createFile(Path path, int mode) {
        try {
            Files.createFile(path, PosixFilePermissions.asFileAttribute(permissions(mode)));
        } catch (FileAlreadyExistsException e) {
            throw exists(path, e);
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.SYSTEM_ERROR, ErrorDomain.QEMU,
                    "cannot create '" + path + "': " + e.getMessage(), e);
        }
    }

    /** The error of a file the plan would create that exists already. */
    static VirtBackupException exists(Path path, Exception cause) {
        return new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.QEMU, "store '" + path
                + "' for backup exists: remove it, or pass REUSE_EXTERNAL (--reuse-external) to write into it", cause);
    }

    private static void setMode(Path path, int mode) {
        try {
            Files.setPosixFilePermissions(path, permissions(mode));
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.SYSTEM_ERROR, ErrorDomain.QEMU,
                    "cannot restrict '" + path + "' to mode " + String.format("%04o", mode) + ": " + e.getMessage(), e);
        }
    }

    private void deleteFile(Step.DeleteFile d) {
        boolean failed = jobs.values().stream().anyMatch(j -> j.error().isPresent());
        if (d.when() == Step.DeleteFile.When.IF_BACKUP_FAILED && !failed) {
            return;
        }
        try {
            Files.deleteIfExists(Path.of(d.path()));
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.SYSTEM_ERROR, ErrorDomain.QEMU,
                    "cannot delete '" + d.path() + "': " + e.getMessage(), e);
        }
    }

    /**
     * Waits for a job to conclude and reads its final entry. The executor's listener has seen every status
     * change since the plan began, so {@code query-jobs} is sent only when a job may have concluded (or its
     * status is unknown: a job of an earlier plan, or a recheck after {@link #RECHECK} without news).
     */
    private void await(Step.AwaitJob a) {
        Instant deadline = Instant.now().plus(jobTimeout);
        while (true) {
            drainStatuses();
            String status = statuses.get(a.jobId());
            JobResult last = known.get(a.jobId());
            if (last != null && last.isConcluded()) { // final: an earlier await's query-jobs read it already
                jobs.put(a.jobId(), last);
                checkOutcome(a, last);
                return;
            }
            if (status == null || status.equals(JobStatus.CONCLUDED.qmpName()) || status.equals(JobStatus.NULL.qmpName())) {
                Optional<JobResult> r = Optional.ofNullable(queryJobs().get(a.jobId()));
                if (r.isEmpty()) {
                    throw new VirtBackupException(ErrorCode.INTERNAL_ERROR, ErrorDomain.QEMU,
                            "job '" + a.jobId() + "' disappeared from QEMU before it was read");
                }
                if (r.get().isConcluded()) {
                    jobs.put(a.jobId(), r.get());
                    checkOutcome(a, r.get());
                    return;
                }
                statuses.put(a.jobId(), r.get().status());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new VirtBackupException(ErrorCode.OPERATION_TIMEOUT, ErrorDomain.QEMU,
                        "job '" + a.jobId() + "' did not conclude within " + jobTimeout.toSeconds() + " s");
            }
            if (!waitForStatusChange(a.jobId())) {
                statuses.remove(a.jobId()); // no news for a while: look again rather than trust a missed event
            }
        }
    }

    private static void checkOutcome(Step.AwaitJob a, JobResult r) {
        if (a.expected() == JobOutcome.SUCCESS && r.error().isPresent()) {
            throw new VirtBackupException(ErrorCode.INTERNAL_ERROR, ErrorDomain.QEMU,
                    "job '" + a.jobId() + "' failed: " + r.error().get());
        }
    }

    /** {@code query-jobs}, remembered: a concluded entry is final, so later awaits need not ask again. */
    private Map<String, JobResult> queryJobs() {
        known = QemuJobs.query(qmp);
        return known;
    }

    /** Notes the status of every job event queued now. */
    private void drainStatuses() {
        events.drain().forEach(this::note);
    }

    private void note(QmpEvent e) {
        statuses.put(e.dataText("id"), e.dataText("status"));
    }

    /** Waits up to {@link #RECHECK} for a status change of {@code jobId}; false when none came. */
    private boolean waitForStatusChange(String jobId) {
        Instant until = Instant.now().plus(RECHECK);
        while (Instant.now().isBefore(until)) {
            Optional<QmpEvent> e = events.poll(Duration.between(Instant.now(), until));
            if (e.isEmpty()) {
                return false;
            }
            note(e.get());
            if (jobId.equals(e.get().dataText("id"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Cancels a job unless it concluded. Consecutive cancels of one plan share a {@code query-jobs}; a job that
     * concluded since is found by asking again when QEMU refuses the cancel.
     */
    private void cancel(String jobId) {
        JobResult r = known.containsKey(jobId) ? known.get(jobId) : queryJobs().get(jobId);
        if (r == null || r.isConcluded()) {
            return; // cancelling is idempotent: nothing left to cancel
        }
        try {
            qmp.execute(org.virtbackup.qemu.plan.Qmp.jobCancel(jobId));
        } catch (QmpErrorException e) {
            JobResult now = queryJobs().get(jobId);
            if (now != null && !now.isConcluded()) {
                throw e;
            }
        }
    }

    /** Dismisses a concluded job; one this plan awaited is known concluded without asking QEMU again. */
    private void dismiss(String jobId) {
        if (!jobs.containsKey(jobId)) {
            JobResult r = QemuJobs.query(qmp).get(jobId);
            if (r == null) {
                return;
            }
            jobs.put(jobId, r);
        }
        qmp.execute(org.virtbackup.qemu.plan.Qmp.jobDismiss(jobId));
    }

    private void pauseGuest() {
        boolean running = qmp.execute(org.virtbackup.qemu.plan.Qmp.queryStatus()).path("running").asBoolean(false);
        if (running) {
            qmp.execute(org.virtbackup.qemu.plan.Qmp.stop());
            pausedGuest = true;
        }
    }

    private void resumeGuest() {
        if (pausedGuest) {
            qmp.execute(org.virtbackup.qemu.plan.Qmp.cont());
            pausedGuest = false;
        }
    }

    /** {@code qom-get} before {@code qom-set}: setting the node in use aborts QEMU 7.2 (notes §8 gotcha 2). */
    private void setDrive(Step.SetDrive d) {
        String current = qmp.execute(org.virtbackup.qemu.plan.Qmp.qomGet(d.devicePath(), "drive")).asText("");
        if (current.equals(d.to())) {
            return;
        }
        if (!current.equals(d.from())) {
            throw new VirtBackupException(ErrorCode.OPERATION_FAILED, ErrorDomain.QEMU, "device '" + d.devicePath()
                    + "' uses node '" + current + "', expected '" + d.from() + "' or '" + d.to() + "'");
        }
        qmp.execute(org.virtbackup.qemu.plan.Qmp.qomSet(d.devicePath(), "drive", d.to()));
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> p = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                p.add(order[bit]);
            }
        }
        return p;
    }
}
