// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.JobEvent;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.VirtBackupException;

/**
 * A libvirt backup job. libvirt runs one job per domain and keeps it itself, so this object holds only the domain
 * and the mode; every question goes to libvirt.
 */
final class LibvirtBackupJob implements BackupJob {
    private final LibvirtDomain domain;
    private final BackupMode mode;

    LibvirtBackupJob(LibvirtDomain domain, BackupMode mode) {
        this.domain = domain;
        this.mode = mode;
    }

    /** libvirt has one job per domain and no job ids: the id names the domain. */
    @Override
    public String id() {
        return "libvirt-backup-" + domain.name();
    }

    @Override
    public BackupMode mode() {
        return mode;
    }

    /** The running job's statistics; once it has ended, the completed job's. */
    @Override
    public JobInfo info() {
        JobStats now = domain.stats(false);
        return now.active() ? now.toJobInfo() : domain.stats(true).toJobInfo();
    }

    /**
     * Delivers {@link JobEvent.Type#JOB_COMPLETED} from libvirt's JOB_COMPLETED event, with the completed job's
     * statistics, once. libvirt has no backup progress or per-disk events, so there are no others. A job that
     * ended before the listener came (libvirt sent its event to nobody) is reported at once, as our QEMU
     * driver's listeners hear it.
     */
    @Override
    public AutoCloseable onEvent(Consumer<JobEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        AtomicBoolean delivered = new AtomicBoolean();
        Runnable completed = () -> {
            if (delivered.compareAndSet(false, true)) {
                listener.accept(new JobEvent(JobEvent.Type.JOB_COMPLETED, java.util.Optional.empty(),
                        domain.stats(true).toJobInfo()));
            }
        };
        AutoCloseable subscription = domain.connection().events().subscribe(domain.name(), completed::run);
        if (!domain.stats(false).active()) {
            completed.run();
        }
        return subscription;
    }

    @Override
    public void setSpeed(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.NONE,
                    "speed must be 0 or positive, not " + bytesPerSecond);
        }
        throw LibvirtErrors.noSupport("changing a backup's speed");
    }

    /** A push: waits for libvirt to finish it (JOB_COMPLETED). A pull: waits until something ends it. */
    @Override
    public JobInfo awaitCompletion(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        domain.awaitNoJob(timeout);
        return domain.stats(true).toJobInfo();
    }

    @Override
    public String toString() {
        return "LibvirtBackupJob[" + domain.name() + ", " + mode + "]";
    }
}
