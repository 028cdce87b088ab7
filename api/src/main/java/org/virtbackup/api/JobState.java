// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.api;

/**
 * The state of a backup job, as {@code virDomainJobType} reports it.
 *
 * @since 0.1
 */
public enum JobState {
    /** No job. */
    NONE,
    /** Starting or copying; for pull mode, exporting. */
    RUNNING,
    /** Finished with success. An ended pull backup is completed, as in libvirt. */
    COMPLETED,
    /** Finished with an error; see {@link JobInfo#errorMessage()}. */
    FAILED,
    /** Cancelled before completion (push mode). */
    CANCELLED;

    /** Whether the job has ended. */
    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }
}
