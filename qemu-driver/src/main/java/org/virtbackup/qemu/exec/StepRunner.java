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
    /** Whether a {@link Step.PauseGuest} of this plan paused a running guest that is not resumed yet. */
    private boolean pausedGuest;
    private final ExportDeleter exports;
    private final Function<String, Optional<FileDescriptor>> fdGroups;

    StepRunner(QmpChannel qmp, QmpEventListener events, Duration jobTimeout,
            Function<String, Optional<FileDescriptor>> fdGroups) {
        this.fdGroups = fdGroups;
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
            if (!isAlreadyGone(e)) {
                throw e;
            }
        }
    }

    /** In a teardown, a job that is already gone (dismissed by an earlier, interrupted end) is done. */
    private void awaitIfPresent(Step.AwaitJob a) {
        if (QemuJobs.query(qmp).containsKey(a.jobId())) {
            await(a);
        }
    }

    private static boolean isAlreadyGone(QmpErrorException e) {
        // QEMU reports a missing node/bitmap/job/export as DeviceNotFound or as a GenericError whose text
        // names it; the class is the reliable part, the text is only checked for the generic class.
        return e.isClass("DeviceNotFound") || e.desc().startsWith("Cannot find device")
                || e.desc().contains("not found") || e.desc().startsWith("Job not found")
                || e.desc().startsWith("Failed to find node") || e.desc().equals("NBD server not running");
    }

    private static void createFile(Path path, int mode) {
        try {
            Files.createFile(path, PosixFilePermissions.asFileAttribute(permissions(mode)));
        } catch (FileAlreadyExistsException e) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.QEMU, "store '" + path
                    + "' for backup exists: remove it, or pass REUSE_EXTERNAL (--reuse-external) to write into it", e);
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.SYSTEM_ERROR, ErrorDomain.QEMU,
                    "cannot create '" + path + "': " + e.getMessage(), e);
        }
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

    private void await(Step.AwaitJob a) {
        Instant deadline = Instant.now().plus(jobTimeout);
        while (true) {
            Optional<JobResult> r = Optional.ofNullable(QemuJobs.query(qmp).get(a.jobId()));
            if (r.isEmpty()) {
                throw new VirtBackupException(ErrorCode.INTERNAL_ERROR, ErrorDomain.QEMU,
                        "job '" + a.jobId() + "' disappeared from QEMU before it was read");
            }
            if (r.get().isConcluded()) {
                jobs.put(a.jobId(), r.get());
                if (a.expected() == JobOutcome.SUCCESS && r.get().error().isPresent()) {
                    throw new VirtBackupException(ErrorCode.INTERNAL_ERROR, ErrorDomain.QEMU,
                            "job '" + a.jobId() + "' failed: " + r.get().error().get());
                }
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new VirtBackupException(ErrorCode.OPERATION_TIMEOUT, ErrorDomain.QEMU,
                        "job '" + a.jobId() + "' did not conclude within " + jobTimeout.toSeconds() + " s");
            }
            waitForStatusChange(a.jobId());
        }
    }

    private void waitForStatusChange(String jobId) {
        Instant until = Instant.now().plus(RECHECK);
        while (Instant.now().isBefore(until)) {
            Optional<QmpEvent> e = events.poll(Duration.between(Instant.now(), until));
            if (e.isEmpty() || jobId.equals(e.get().dataText("id"))) {
                return;
            }
        }
    }

    private void cancel(String jobId) {
        JobResult r = QemuJobs.query(qmp).get(jobId);
        if (r == null || r.isConcluded()) {
            return; // cancelling is idempotent: nothing left to cancel
        }
        qmp.execute(org.virtbackup.qemu.plan.Qmp.jobCancel(jobId));
    }

    private void dismiss(String jobId) {
        JobResult r = QemuJobs.query(qmp).get(jobId);
        if (r == null) {
            return;
        }
        jobs.putIfAbsent(jobId, r);
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
