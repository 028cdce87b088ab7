// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.qemu.exec.JobResult;
import org.virtbackup.qemu.store.JobRecord;

/** Builds {@link JobInfo}s from QEMU's job entries, the way libvirt's {@code qemuBackupGetJobInfoStats} does. */
final class JobInfos {

    private JobInfos() {
    }

    static JobInfo none() {
        return new JobInfo(JobState.NONE, BackupMode.PUSH, Duration.ZERO, OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), List.of());
    }

    /** {@code info} with one more note. */
    static JobInfo withNote(JobInfo info, String note) {
        List<String> notes = new ArrayList<>(info.notes());
        notes.add(note);
        return new JobInfo(info.state(), info.mode(), info.elapsed(), info.diskTotal(), info.diskProcessed(),
                info.diskTempUsed(), info.diskTempTotal(), info.errorMessage(), notes);
    }

    /**
     * Statistics of a job in {@code state}: push reports copy progress, pull reports scratch usage
     * (libvirt-backup-reference.md §3.4).
     */
    static JobInfo of(JobState state, BackupMode mode, Duration elapsed, Collection<JobResult> jobs,
            Optional<String> error, List<String> notes) {
        long current = jobs.stream().mapToLong(JobResult::currentProgress).sum();
        long total = jobs.stream().mapToLong(JobResult::totalProgress).sum();
        if (mode == BackupMode.PUSH) {
            return new JobInfo(state, mode, elapsed, OptionalLong.of(total), OptionalLong.of(current),
                    OptionalLong.empty(), OptionalLong.empty(), error, notes);
        }
        return new JobInfo(state, mode, elapsed, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.of(current),
                OptionalLong.of(total), error, notes);
    }

    /** A pull job's statistics from measured scratch use ({@link CbwStatus}: a copy-before-write pull has no jobs). */
    static JobInfo pull(JobState state, Duration elapsed, long tempUsed, long tempTotal, Optional<String> error,
            List<String> notes) {
        return new JobInfo(state, BackupMode.PULL, elapsed, OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.of(tempUsed), OptionalLong.of(tempTotal), error, notes);
    }

    /** How long a job has run. */
    static Duration elapsed(JobRecord rec) {
        return Duration.ofMillis(Math.max(0, System.currentTimeMillis() - rec.startedAtMillis()));
    }

    /** The typed parameters of a stored job, back as a {@link JobInfo}. */
    static JobInfo fromParams(Map<String, Object> p) {
        JobState state = JobState.valueOf(String.valueOf(p.getOrDefault("state", "COMPLETED")));
        BackupMode mode = BackupMode.valueOf(String.valueOf(p.getOrDefault("mode", "PUSH")));
        @SuppressWarnings("unchecked")
        List<String> notes = (List<String>) p.getOrDefault("notes", List.of());
        return new JobInfo(state, mode, Duration.ofMillis(num(p, "time_elapsed").orElse(0)), num(p, "disk_total"),
                num(p, "disk_processed"), num(p, "disk_temp_used"), num(p, "disk_temp_total"),
                Optional.ofNullable((String) p.get("errmsg")), notes);
    }

    /** {@link JobInfo#toTypedParameters()} plus what is needed to read it back. */
    static Map<String, Object> toStored(JobInfo info) {
        Map<String, Object> p = new java.util.LinkedHashMap<>(info.toTypedParameters());
        p.put("state", info.state().name());
        p.put("mode", info.mode().name());
        p.put("notes", info.notes());
        return p;
    }

    private static OptionalLong num(Map<String, Object> p, String key) {
        Object v = p.get(key);
        return v instanceof Number n ? OptionalLong.of(n.longValue()) : OptionalLong.empty();
    }
}
