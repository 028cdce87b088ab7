// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.exec.JobResult;
import org.virtbackup.qemu.exec.QemuJobs;
import org.virtbackup.qemu.plan.BackupLayout;
import org.virtbackup.qemu.plan.ResolvedDisk;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpException;
import org.virtbackup.qemu.qmp.QemuErrors;
import org.virtbackup.qemu.store.JobRecord;

/**
 * The one rule that says what state a backup job is in and, at its end, how it ended. Every look at a job
 * ({@code info}, listeners, {@code awaitCompletion}, the end) applies it to what QEMU showed.
 *
 * <ul>
 *   <li>A start that never finished (its process died): running while looked at, cancelled when ended.</li>
 *   <li>Failed as soon as one disk failed: a push copy that concluded with an error, a pull's fleecing job that
 *       ended by itself, a copy-before-write snapshot that broke, or a job QEMU no longer has. The disks of a
 *       job succeed or fail together: ending a failed job cancels the copies still running.</li>
 *   <li>A push is completed once every copy concluded without error (libvirt finalizes it then).</li>
 *   <li>Otherwise it runs; ended by its owner, a push that had not completed is cancelled and a pull is
 *       completed (a pull never finishes by itself).</li>
 * </ul>
 */
final class JobVerdict {

    private JobVerdict() {
    }

    /**
     * What one look at QEMU showed.
     *
     * @param jobs our QMP jobs that QEMU still has, by id (fleecing pull and push)
     * @param cbw a copy-before-write pull's scratch use and snapshot health
     */
    record Look(Map<String, JobResult> jobs, Optional<CbwStatus.Status> cbw) {
        Look {
            jobs = Collections.unmodifiableMap(new LinkedHashMap<>(jobs)); // in layout order
        }

        /**
         * One look: {@code query-jobs}, or a copy-before-write pull's measurements.
         *
         * @throws VirtBackupException when QEMU cannot be asked
         */
        static Look read(QmpChannel qmp, BackupLayout layout) {
            if (layout.request().cbw()) {
                try {
                    return new Look(Map.of(), Optional.of(CbwStatus.read(qmp, layout)));
                } catch (QmpException e) {
                    throw e.toVirtBackupException();
                }
            }
            Map<String, JobResult> all = QemuJobs.query(qmp);
            Map<String, JobResult> ours = new LinkedHashMap<>();
            for (ResolvedDisk d : layout.disks()) {
                JobResult r = all.get(d.jobId());
                if (r != null) {
                    ours.put(d.jobId(), r);
                }
            }
            return new Look(ours, Optional.empty());
        }
    }

    /**
     * The job's statistics and state.
     *
     * @param expectedJobs how many QMP jobs the job runs (one per disk; none for a copy-before-write pull)
     * @param ending whether the owner is ending the job now
     */
    static JobInfo judge(JobRecord rec, int expectedJobs, Look look, boolean ending) {
        Duration elapsed = JobInfos.elapsed(rec);
        List<String> notes = rec.notes();
        if (rec.phase() == JobRecord.Phase.STARTING) {
            JobState state = ending ? JobState.CANCELLED : JobState.RUNNING;
            return JobInfos.of(state, rec.mode(), elapsed, List.of(), cancelled(state), notes);
        }
        if (look.cbw().isPresent()) {
            CbwStatus.Status s = look.cbw().get();
            JobState state = s.broken().isEmpty() ? (ending ? JobState.COMPLETED : JobState.RUNNING) : JobState.FAILED;
            return JobInfos.pull(state, elapsed, s.used(), s.total(), s.error(), notes);
        }
        Collection<JobResult> jobs = look.jobs().values();
        if (jobs.size() < expectedJobs) {
            return JobInfos.of(JobState.FAILED, rec.mode(), elapsed, jobs, Optional.of("a backup job no longer exists "
                    + "in QEMU (QEMU restarted, or another client dismissed it)"), notes);
        }
        Optional<String> failure = failure(jobs);
        JobState state;
        if (failure.isPresent()) {
            state = JobState.FAILED;
        } else if (rec.mode() == BackupMode.PUSH && jobs.stream().allMatch(JobResult::isConcluded)) {
            state = JobState.COMPLETED;
        } else if (!ending) {
            state = JobState.RUNNING;
        } else {
            state = rec.mode() == BackupMode.PUSH ? JobState.CANCELLED : JobState.COMPLETED;
        }
        return JobInfos.of(state, rec.mode(), elapsed, jobs, failure.or(() -> cancelled(state)), notes);
    }

    /**
     * The error of a job that concluded on its own, a real failure before a cancellation (a copy cancelled
     * because another disk failed reports "Operation canceled"). A pull's fleecing jobs conclude only when
     * they fail (or are cancelled by an end, which looks before it cancels).
     */
    private static Optional<String> failure(Collection<JobResult> jobs) {
        List<String> errors = jobs.stream().filter(JobResult::isConcluded).flatMap(j -> j.error().stream()).toList();
        return errors.stream().filter(e -> !QemuErrors.isCancelled(e)).findFirst().or(() -> errors.stream().findFirst());
    }

    private static Optional<String> cancelled(JobState state) {
        return state == JobState.CANCELLED ? Optional.of(QemuErrors.CANCELLED) : Optional.empty();
    }
}
