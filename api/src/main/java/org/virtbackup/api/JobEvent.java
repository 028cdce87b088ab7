// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.api;

import java.util.Objects;
import java.util.Optional;

/**
 * Something that happened to a backup job.
 *
 * @param type what happened
 * @param disk the disk it concerns, for per-disk events
 * @param info the job's statistics at that moment
 * @since 0.1
 */
public record JobEvent(Type type, Optional<String> disk, JobInfo info) {

    /** Kinds of job events. */
    public enum Type {
        /** Progress changed. */
        PROGRESS,
        /** One disk finished copying (push) or was set up (pull). */
        DISK_COMPLETED,
        /** One disk failed. */
        DISK_FAILED,
        /** The whole job finished; like libvirt's {@code VIR_DOMAIN_EVENT_ID_JOB_COMPLETED}. */
        JOB_COMPLETED
    }

    public JobEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(disk, "disk");
        Objects.requireNonNull(info, "info");
    }
}
