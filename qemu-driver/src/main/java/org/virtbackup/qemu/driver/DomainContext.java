// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.virtbackup.qemu.plan.BackupLayout;
import org.virtbackup.qemu.plan.PullMethod;
import org.virtbackup.qemu.qmp.QemuCapabilities;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpException;
import org.virtbackup.qemu.store.CheckpointStore;
import org.virtbackup.qemu.store.DomainLock;
import org.virtbackup.qemu.store.JobRecord;
import org.virtbackup.qemu.store.JobStore;
import org.virtbackup.xml.model.DomainDef;

/**
 * Everything the services of one domain share: the QMP channel, the probed capabilities, the state files.
 *
 * @param name the domain's name
 * @param session the connection's lease on the QMP socket
 * @param capabilities probed once per connection
 * @param domainDir the domain's state directory
 * @param tlsDir the x509 directory for {@code tls='yes'} pull backups, if configured
 * @param speedLimit push backups' per-disk copy limit in bytes per second, 0 for none
 * @param copyRange let push jobs use {@code copy_file_range} where QEMU offers it (driver option {@code copyRange})
 * @param userDomain the caller's libvirt {@code <domain>}, whose target names the disks then go by
 * @param pullMethod how new pull backups keep the point in time (driver option {@code pullMethod})
 * @param exportGrace how long a pull's end waits for NBD clients (driver option {@code exportGraceSeconds})
 * @param layouts the current job's layout, computed once per connection
 * @param host what serves the disks: the VM's QEMU, or a {@code qemu-storage-daemon} on a stopped VM's images
 */
record DomainContext(String name, QmpSession session, Supplier<QemuCapabilities> capabilities, Path domainDir,
        Optional<String> tlsDir, long speedLimit, boolean copyRange, Optional<DomainDef> userDomain,
        PullMethod pullMethod, Duration exportGrace, JobLayouts layouts, Host host) {

    /** How long another operation on the same domain may hold the lock before we give up. */
    static final Duration LOCK_TIMEOUT = Duration.ofSeconds(30);
    /** How long a create job of the start plan may take. */
    static final Duration CREATE_JOB_TIMEOUT = Duration.ofMinutes(5);

    JobStore jobs() {
        return new JobStore(domainDir);
    }

    CheckpointStore checkpoints() {
        return new CheckpointStore(domainDir);
    }

    DomainLock lock() {
        return DomainLock.acquire(domainDir, LOCK_TIMEOUT);
    }

    /**
     * Opens an operation: the QMP socket, once connected in it, stays connected until it is closed (see
     * {@link QmpSession}). Every public entry point opens one before it uses {@link #qmp()}.
     */
    QmpSession.Operation operation() {
        return session.begin();
    }

    /**
     * The QMP channel of the current operation, connecting if needed.
     *
     * @throws VirtBackupException when no QEMU can be reached, the socket stays busy, or no operation is open
     */
    QmpChannel qmp() {
        try {
            return session.channel();
        } catch (QmpException e) {
            throw e.toVirtBackupException();
        }
    }

    /**
     * Whether a QEMU answers on the socket.
     *
     * @throws VirtBackupException {@code RESOURCE_BUSY} when another client holds it
     */
    boolean qemuAnswers() {
        return session.answers();
    }

    /** The layout of the job on record (see {@link JobLayouts}). */
    BackupLayout layoutOf(JobRecord rec) {
        return layouts.of(rec, name);
    }

    DomainView view() {
        return DomainView.read(qmp(), name, userDomain, host);
    }
}
