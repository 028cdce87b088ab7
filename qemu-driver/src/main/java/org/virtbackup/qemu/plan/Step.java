// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.virtbackup.qemu.qmp.QmpCommand;

/**
 * One step of a {@link Plan}. Each effectful step carries the steps that revert it ({@link #undoSteps()})
 * and names what it creates ({@link #creates()}), which the executor persists before running it.
 */
public sealed interface Step {

    /** The steps that revert this one, in the order to run them; empty when there is nothing to revert. */
    List<Step> undoSteps();

    /** What this step creates, to be recorded in the job state before the step runs. */
    default List<Resource> creates() {
        return List.of();
    }

    /** The QMP command this step sends, if it sends one (for {@code --print-qmp} and schema checks). */
    Optional<QmpCommand> command();

    /** Send one command; a QMP error fails the step. */
    record QmpCall(QmpCommand qmp, List<Resource> creates, Optional<Step> undo) implements Step {
        public QmpCall {
            Objects.requireNonNull(qmp, "qmp");
            creates = List.copyOf(creates);
            Objects.requireNonNull(undo, "undo");
        }

        /** A call that creates nothing and needs no undo (a read, or a teardown call). */
        public static QmpCall of(QmpCommand qmp) {
            return new QmpCall(qmp, List.of(), Optional.empty());
        }

        @Override
        public List<Step> undoSteps() {
            return undo.stream().toList();
        }

        @Override
        public Optional<QmpCommand> command() {
            return Optional.of(qmp);
        }
    }

    /**
     * Send one {@code transaction}: QEMU applies all actions or none (a failed prepare rolls back the
     * others, qemu-7.2-qmp-notes.md §4 case c), so a failed transaction needs no undo; {@code undo} reverts
     * a transaction that succeeded when a later step fails.
     */
    record Transaction(List<TransactionAction> actions, List<Resource> creates, List<Step> undo) implements Step {
        public Transaction {
            actions = List.copyOf(actions);
            creates = List.copyOf(creates);
            undo = List.copyOf(undo);
        }

        @Override
        public List<Step> undoSteps() {
            return undo;
        }

        @Override
        public Optional<QmpCommand> command() {
            return Optional.of(Qmp.transaction(actions));
        }
    }

    /**
     * Create an empty file exclusively ({@code O_CREAT|O_EXCL}) with this mode. An existing file fails the
     * step with libvirt's {@code INVALID_ARG} "store '%s' for backup of '%s' exists" — the planner does no
     * I/O, so this is where that check happens; QEMU's {@code blockdev-create} then reuses the file and
     * keeps the mode.
     */
    record CreateFile(String path, int mode) implements Step {
        public CreateFile {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public List<Resource> creates() {
            return List.of(new Resource.File(path));
        }

        @Override
        public List<Step> undoSteps() {
            return List.of(new DeleteFile(path, DeleteFile.When.ALWAYS));
        }

        @Override
        public Optional<QmpCommand> command() {
            return Optional.empty();
        }
    }

    /**
     * Set a host file's permission bits. Used on the NBD server's unix socket right after QEMU created it with
     * its own umask and before any export exists, so that only the socket's owner can connect (SPEC: "unix
     * socket (created 0600)"); nothing to undo, the socket goes with {@code nbd-server-stop}.
     */
    record SetMode(String path, int mode) implements Step {
        public SetMode {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public List<Step> undoSteps() {
            return List.of();
        }

        @Override
        public Optional<QmpCommand> command() {
            return Optional.empty();
        }
    }

    /** Delete a file virtbackup created; a missing file is fine. */
    record DeleteFile(String path, When when) implements Step {
        /** When to delete. */
        public enum When {
            /** Always (scratch files, targets of a cancelled or rolled-back backup). */
            ALWAYS,
            /**
             * Only if a job awaited earlier in the same plan ended with an error: a push target is kept when
             * the backup completed (libvirt-backup-reference.md §4.8 step 6).
             */
            IF_BACKUP_FAILED
        }

        public DeleteFile {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(when, "when");
        }

        @Override
        public List<Step> undoSteps() {
            return List.of();
        }

        @Override
        public Optional<QmpCommand> command() {
            return Optional.empty();
        }
    }

    /**
     * Pass the one descriptor of the caller's fd group {@code group} to QEMU: {@code getfd fdname} with the
     * descriptor attached. The descriptor comes from the executor's fd groups (the plan holds no descriptors).
     * Undo: {@code closefd}, which fails harmlessly once {@code nbd-server-start} took the descriptor over.
     */
    record PassFd(String group, String fdName) implements Step {
        public PassFd {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(fdName, "fdName");
        }

        @Override
        public List<Step> undoSteps() {
            return List.of(QmpCall.of(Qmp.closefd(fdName)));
        }

        @Override
        public Optional<QmpCommand> command() {
            return Optional.of(Qmp.getfd(fdName));
        }
    }

    /**
     * Delete a block export and wait until QEMU reports it gone ({@code BLOCK_EXPORT_DELETED}), giving connected
     * clients a grace period: {@code block-export-del} in safe mode, repeated while QEMU refuses it because the
     * export is still in use, until {@code grace} has passed since the plan's first such step; then
     * {@code mode=hard}, which drops the clients. Without clients the export goes at once. An export that no
     * longer exists is fine. The grace period is shared by all exports of a plan, so an end waits at most
     * {@code grace} in total.
     */
    record DeleteExport(String exportId, Duration grace) implements Step {
        public DeleteExport {
            Objects.requireNonNull(exportId, "exportId");
            Objects.requireNonNull(grace, "grace");
            if (grace.isNegative()) {
                throw new IllegalArgumentException("grace must be >= 0, got " + grace);
            }
        }

        @Override
        public List<Step> undoSteps() {
            return List.of();
        }

        @Override
        public Optional<QmpCommand> command() {
            return Optional.of(Qmp.blockExportDel(exportId, false));
        }
    }

    /**
     * Wait until the job is {@code concluded} (from {@code JOB_STATUS_CHANGE}, subscribed before the job was
     * started, or from {@code query-jobs}), then read its final {@code query-jobs} entry, record it (its
     * {@code error} becomes the job's {@code errmsg}) and compare it with {@code expected}.
     */
    record AwaitJob(String jobId, JobOutcome expected) implements Step {
        public AwaitJob {
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(expected, "expected");
        }

        @Override
        public List<Step> undoSteps() {
            return List.of();
        }

        @Override
        public Optional<QmpCommand> command() {
            return Optional.of(Qmp.queryJobs());
        }
    }

    /**
     * {@code job-cancel}, unless the job already concluded or no longer exists (both are fine: cancelling
     * is idempotent). Pull jobs ({@code sync=none}) end this way normally (notes §8 gotcha 8).
     */
    record CancelJob(String jobId) implements Step {
        public CancelJob {
            Objects.requireNonNull(jobId, "jobId");
        }

        @Override
        public List<Step> undoSteps() {
            return List.of();
        }

        @Override
        public Optional<QmpCommand> command() {
            return Optional.of(Qmp.jobCancel(jobId));
        }
    }

    /** {@code job-dismiss} of a concluded job; a job that no longer exists is fine. */
    record DismissJob(String jobId) implements Step {
        public DismissJob {
            Objects.requireNonNull(jobId, "jobId");
        }

        @Override
        public List<Step> undoSteps() {
            return List.of();
        }

        @Override
        public Optional<QmpCommand> command() {
            return Optional.of(Qmp.jobDismiss(jobId));
        }
    }

    /**
     * Pause the guest ({@code stop}) if {@code query-status} says it runs, so that the bitmap transaction and
     * the filter insertions that follow form one point in time (QEMU 7.2 has no transaction action for
     * {@code blockdev-add} or {@code qom-set}, notes §3 B). Undo: {@link ResumeGuest}.
     */
    record PauseGuest() implements Step {
        @Override
        public List<Step> undoSteps() {
            return List.of(new ResumeGuest());
        }

        @Override
        public Optional<QmpCommand> command() {
            return Optional.of(Qmp.stop());
        }
    }

    /**
     * {@code cont}, only if the {@link PauseGuest} of the same plan paused the guest: a guest that was paused
     * before stays paused. Running it twice resumes once.
     */
    record ResumeGuest() implements Step {
        @Override
        public List<Step> undoSteps() {
            return List.of();
        }

        @Override
        public Optional<QmpCommand> command() {
            return Optional.of(Qmp.cont());
        }
    }

    /**
     * {@code cont} if {@code query-status} says the guest is paused: the end of a start that paused a running
     * guest around its point in time and died before resuming it. Running it twice resumes once.
     */
    record ResumePausedGuest() implements Step {
        @Override
        public List<Step> undoSteps() {
            return List.of();
        }

        @Override
        public Optional<QmpCommand> command() {
            return Optional.of(Qmp.cont());
        }
    }

    /**
     * {@code quit} if {@code query-status} says the guest shut down ({@code shutdown}: paused by the
     * {@code pause} shutdown action): the end of a job with {@code PRESERVE_ON_GUEST_SHUTDOWN} completes the
     * shutdown the guest asked for. The last step of a plan: QEMU exits.
     */
    record CompleteGuestShutdown() implements Step {
        @Override
        public List<Step> undoSteps() {
            return List.of();
        }

        @Override
        public Optional<QmpCommand> command() {
            return Optional.of(Qmp.quit());
        }
    }

    /**
     * Move a guest device's {@code drive} from node {@code from} to node {@code to}: {@code qom-get} first, no
     * {@code qom-set} when it already uses {@code to} (setting the node in use aborts QEMU 7.2, notes §8
     * gotcha 2), and a refusal when it uses neither. Undo: the move back (which has no undo itself).
     *
     * @param devicePath the device's QOM path, e.g. {@code /machine/peripheral/vda/virtio-backend}
     * @param undoable whether {@link #undoSteps()} holds the move back
     */
    record SetDrive(String devicePath, String from, String to, boolean undoable) implements Step {
        public SetDrive {
            Objects.requireNonNull(devicePath, "devicePath");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
        }

        /** A move whose undo is the move back. */
        public SetDrive(String devicePath, String from, String to) {
            this(devicePath, from, to, true);
        }

        @Override
        public List<Step> undoSteps() {
            return undoable ? List.of(new SetDrive(devicePath, to, from, false)) : List.of();
        }

        @Override
        public Optional<QmpCommand> command() {
            return Optional.of(Qmp.qomSet(devicePath, "drive", to));
        }
    }
}
