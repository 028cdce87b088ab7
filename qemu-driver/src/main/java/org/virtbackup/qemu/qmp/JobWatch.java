// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Follows one QEMU job through its {@code JOB_STATUS_CHANGE} events. Opening the watch opens the listener,
 * so the only way to use it is the right one: open, then send the command that creates the job, then await.
 * A fast job (a {@code blockdev-create} of an empty file concludes in milliseconds) can otherwise finish
 * before anyone listens.
 *
 * <pre>{@code
 * try (JobWatch watch = JobWatch.open(qmp, "mk1")) {
 *     qmp.execute(blockdevCreate);
 *     JobStatus s = watch.awaitStatus(EnumSet.of(JobStatus.CONCLUDED), Instant.now().plusSeconds(30));
 * }
 * }</pre>
 */
public final class JobWatch implements AutoCloseable {
    private static final String JOB_STATUS_CHANGE = "JOB_STATUS_CHANGE";

    private final String jobId;
    private final QmpEventListener listener;
    private final List<JobStatus> seen = new ArrayList<>();

    private JobWatch(String jobId, QmpEventListener listener) {
        this.jobId = jobId;
        this.listener = listener;
    }

    /** Starts watching job {@code jobId} on {@code channel}; do this before sending the command. */
    public static JobWatch open(QmpChannel channel, String jobId) {
        Objects.requireNonNull(jobId, "jobId");
        return new JobWatch(jobId, channel.listen(Set.of(JOB_STATUS_CHANGE),
                data -> jobId.equals(data.path("id").asText())));
    }

    /**
     * Opens a watch, sends {@code command}, and waits for one of {@code wanted}.
     *
     * @return the status reached, or {@link JobStatus#NULL} when the job disappeared first
     */
    public static JobStatus run(QmpChannel channel, QmpCommand command, String jobId, Set<JobStatus> wanted,
            Instant deadline) {
        try (JobWatch watch = open(channel, jobId)) {
            channel.execute(command);
            return watch.awaitStatus(wanted, deadline);
        }
    }

    /**
     * Waits until the job reaches one of {@code wanted}. A status reached before this call but after
     * {@link #open} counts: the listener queued it.
     *
     * @return the status reached, or {@link JobStatus#NULL} (the job was dismissed or never existed) even when
     *     {@code NULL} is not in {@code wanted}, because nothing can follow it
     * @throws QmpTimeoutException when the deadline passes; the message lists the statuses seen
     * @throws QmpDisconnectedException when the connection is lost first
     */
    public JobStatus awaitStatus(Set<JobStatus> wanted, Instant deadline) {
        QmpEvent e = QmpEvents.awaitEvent(listener, ev -> {
            JobStatus s = JobStatus.fromQmp(ev.dataText("status"));
            synchronized (seen) {
                seen.add(s);
            }
            return wanted.contains(s) || s == JobStatus.NULL;
        }, deadline, "job '" + jobId + "' to reach " + wanted);
        return JobStatus.fromQmp(e.dataText("status"));
    }

    /** The statuses consumed so far by {@link #awaitStatus}, in order. */
    public List<JobStatus> statuses() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    /** The job id watched. */
    public String jobId() {
        return jobId;
    }

    @Override
    public void close() {
        listener.close();
    }
}
