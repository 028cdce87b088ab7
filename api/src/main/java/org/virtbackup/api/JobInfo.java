// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A snapshot of a backup job's statistics, with the fields of {@code virDomainGetJobStats}.
 *
 * <p>Push jobs report {@code disk_total}/{@code disk_processed}/{@code disk_remaining}; pull jobs report
 * scratch usage as {@code disk_temp_used}/{@code disk_temp_total}. A finished job also reports
 * {@code success} and, on failure, {@code errmsg}.
 *
 * @param state the job's state
 * @param mode push or pull
 * @param elapsed time since the job started
 * @param diskTotal push: bytes to copy, summed over disks
 * @param diskProcessed push: bytes copied so far
 * @param diskTempUsed pull: scratch bytes in use
 * @param diskTempTotal pull: scratch capacity
 * @param errorMessage the first error of any disk, for a failed job
 * @param notes per-disk remarks, e.g. "disk 'vdb' backed up in full: bitmap 'cp1' is inconsistent"
 * @since 0.1
 */
public record JobInfo(JobState state, BackupMode mode, Duration elapsed, OptionalLong diskTotal,
        OptionalLong diskProcessed, OptionalLong diskTempUsed, OptionalLong diskTempTotal,
        Optional<String> errorMessage, List<String> notes) {

    /** libvirt's {@code VIR_DOMAIN_JOB_OPERATION_BACKUP}. */
    public static final int OPERATION_BACKUP = 9;

    public JobInfo {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(elapsed, "elapsed");
        Objects.requireNonNull(diskTotal, "diskTotal");
        Objects.requireNonNull(diskProcessed, "diskProcessed");
        Objects.requireNonNull(diskTempUsed, "diskTempUsed");
        Objects.requireNonNull(diskTempTotal, "diskTempTotal");
        Objects.requireNonNull(errorMessage, "errorMessage");
        notes = List.copyOf(notes);
    }

    /** Push only: bytes still to copy. */
    public OptionalLong diskRemaining() {
        if (diskTotal.isEmpty() || diskProcessed.isEmpty()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.max(0, diskTotal.getAsLong() - diskProcessed.getAsLong()));
    }

    /** For a finished job: whether it succeeded; empty while it runs. */
    public Optional<Boolean> success() {
        return state.isTerminal() ? Optional.of(state == JobState.COMPLETED) : Optional.empty();
    }

    /**
     * The statistics as libvirt's typed parameters, in libvirt's names and order ({@code operation},
     * {@code time_elapsed} in milliseconds, {@code disk_total}, ..., {@code success}, {@code errmsg}).
     *
     * @return an unmodifiable, ordered map
     */
    public Map<String, Object> toTypedParameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("operation", OPERATION_BACKUP);
        p.put("time_elapsed", elapsed.toMillis());
        diskTotal.ifPresent(v -> p.put("disk_total", v));
        diskProcessed.ifPresent(v -> p.put("disk_processed", v));
        diskRemaining().ifPresent(v -> p.put("disk_remaining", v));
        diskTempUsed.ifPresent(v -> p.put("disk_temp_used", v));
        diskTempTotal.ifPresent(v -> p.put("disk_temp_total", v));
        success().ifPresent(v -> p.put("success", v));
        errorMessage.ifPresent(v -> p.put("errmsg", v));
        return java.util.Collections.unmodifiableMap(p);
    }
}
