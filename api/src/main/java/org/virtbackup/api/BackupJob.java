// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.api;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * A running (or finished) backup job of one domain.
 *
 * @since 0.1
 */
public interface BackupJob {

    /** The job's id, unique for the domain's state directory. */
    String id();

    /** Push or pull. */
    BackupMode mode();

    /**
     * The job's current statistics.
     *
     * @throws VirtBackupException if QEMU cannot be queried
     */
    JobInfo info();

    /**
     * Registers a listener for this job's events. Events are delivered in order, on a thread of the driver;
     * none is dropped.
     *
     * @param listener called for each event
     * @return a handle that unregisters the listener when closed
     */
    AutoCloseable onEvent(Consumer<JobEvent> listener);

    /**
     * Changes the copy speed of a running push job, for every disk still copying (beyond libvirt's backup API;
     * libvirt offers it for block jobs as {@code virDomainBlockJobSetSpeed}).
     *
     * @param bytesPerSecond the new limit per disk, 0 for none
     * @throws VirtBackupException {@link ErrorCode#INVALID_ARG} for a negative speed;
     *     {@link ErrorCode#OPERATION_INVALID} for a pull job (it copies nothing on its own) or a job that no
     *     longer runs
     */
    void setSpeed(long bytesPerSecond);

    /**
     * Waits until a push job has finished copying, and finalizes it as libvirt does (targets closed, temporary
     * bitmaps removed, the statistics kept for {@link Domain#jobInfo(boolean) jobInfo(true)}; a failed push
     * takes the checkpoint it created with it). A pull job never finishes by itself: it waits for
     * {@link Domain#backupEnd}, or for its failure.
     *
     * @param timeout the longest time to wait
     * @return the final statistics
     * @throws VirtBackupException {@link ErrorCode#OPERATION_TIMEOUT} when the timeout expires
     */
    JobInfo awaitCompletion(Duration timeout);
}
