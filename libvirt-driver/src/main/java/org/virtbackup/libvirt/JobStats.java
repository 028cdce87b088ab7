// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.libvirt.DomainJobStats;
import org.libvirt.TypedBooleanParameter;
import org.libvirt.TypedIntParameter;
import org.libvirt.TypedLongParameter;
import org.libvirt.TypedParameter;
import org.libvirt.TypedStringParameter;
import org.libvirt.TypedUintParameter;
import org.libvirt.TypedUlongParameter;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;

/**
 * {@code virDomainGetJobStats}' result (a {@code virDomainJobType} and typed parameters) as a {@link JobInfo}.
 * Pure: the parameters are read into a map first, so the mapping is tested without libvirt.
 *
 * @param type libvirt's {@code virDomainJobType}
 * @param params the typed parameters by field name (numbers as {@link Long}, booleans, strings)
 */
record JobStats(int type, Map<String, Object> params) {

    /** {@code VIR_DOMAIN_JOB_NONE} ... {@code VIR_DOMAIN_JOB_CANCELLED}. */
    static final int NONE = 0;
    static final int BOUNDED = 1;
    static final int UNBOUNDED = 2;
    static final int COMPLETED = 3;
    static final int FAILED = 4;
    static final int CANCELLED = 5;

    /**
     * {@code VIR_DOMAIN_JOB_STATS_COMPLETED | VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED}: the last finished job instead of
     * the running one, kept for the next look. Without KEEP_COMPLETED libvirt forgets the statistics once read, so
     * a second {@code jobInfo(true)} (or the CLI after an event listener) would find no job.
     */
    static final int FLAGS_COMPLETED = 1 | 1 << 1;

    JobStats {
        params = Map.copyOf(params);
    }

    /** Reads libvirt-java's typed parameters. */
    static JobStats of(DomainJobStats stats) {
        Map<String, Object> p = new LinkedHashMap<>();
        for (TypedParameter t : stats.stats) {
            if (t == null) {
                continue;
            }
            p.put(t.field, value(t));
        }
        return new JobStats(stats.type, p);
    }

    /** Whether this is a backup job ({@code operation} 9), or no job at all. */
    boolean isBackupOrNone() {
        return type == NONE || number("operation").orElse(JobInfo.OPERATION_BACKUP) == JobInfo.OPERATION_BACKUP;
    }

    /** Whether a job is running. */
    boolean active() {
        return type == BOUNDED || type == UNBOUNDED;
    }

    /** The statistics in the API's terms. */
    JobInfo toJobInfo() {
        JobState state = state();
        OptionalLong tempUsed = number("disk_temp_used");
        OptionalLong tempTotal = number("disk_temp_total");
        // libvirt reports scratch usage for pull jobs only, and disk_total/processed for push jobs only
        BackupMode mode = tempUsed.isPresent() || tempTotal.isPresent() ? BackupMode.PULL : BackupMode.PUSH;
        Duration elapsed = Duration.ofMillis(number("time_elapsed").orElse(0));
        Optional<String> errmsg = Optional.ofNullable(params.get("errmsg")).map(Object::toString);
        return new JobInfo(state, mode, elapsed, number("disk_total"), number("disk_processed"), tempUsed, tempTotal,
                errmsg, List.of());
    }

    private JobState state() {
        switch (type) {
            case BOUNDED:
            case UNBOUNDED:
                return JobState.RUNNING;
            case COMPLETED:
                // the explicit success field wins over the type, so a failure is never reported as success
                return Boolean.FALSE.equals(params.get("success")) ? JobState.FAILED : JobState.COMPLETED;
            case FAILED:
                return JobState.FAILED;
            case CANCELLED:
                return JobState.CANCELLED;
            default:
                return JobState.NONE;
        }
    }

    private OptionalLong number(String field) {
        Object v = params.get(field);
        return v instanceof Long ? OptionalLong.of((Long) v) : OptionalLong.empty();
    }

    private static Object value(TypedParameter t) {
        if (t instanceof TypedIntParameter) {
            return (long) ((TypedIntParameter) t).value;
        }
        if (t instanceof TypedUintParameter) {
            return Integer.toUnsignedLong(((TypedUintParameter) t).value);
        }
        if (t instanceof TypedLongParameter) {
            return ((TypedLongParameter) t).value;
        }
        if (t instanceof TypedUlongParameter) {
            return ((TypedUlongParameter) t).value;
        }
        if (t instanceof TypedBooleanParameter) {
            return ((TypedBooleanParameter) t).value;
        }
        if (t instanceof TypedStringParameter) {
            return ((TypedStringParameter) t).value;
        }
        return t.getValueAsString();
    }
}
