// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.io.FileDescriptor;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.virtbackup.api.BackupDryRun;
import org.virtbackup.api.BackupEndDryRun;
import org.virtbackup.api.BackupEndFlag;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.BackupStartFlag;
import org.virtbackup.api.CheckpointCreateFlag;
import org.virtbackup.api.CheckpointHealth;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.qmp.QmpException;

/**
 * The QEMU driver's {@link Domain}: checks arguments, then delegates to the services. Each method is one
 * operation of the {@link QmpSession}: QEMU's socket is connected on first use and let go at the end.
 * Checkpoint metadata works without QEMU (a stopped domain), as libvirt's does for an inactive domain; what
 * needs QEMU fails with libvirt's error for an inactive domain.
 */
final class QemuDomain implements Domain {

    private final DomainContext ctx;
    private final QmpSession qmp;
    private final FdGroups fdGroups = new FdGroups();
    private final JobMonitor monitor;

    QemuDomain(DomainContext ctx, QmpSession qmp) {
        this.ctx = ctx;
        this.qmp = qmp;
        this.monitor = new JobMonitor(qmp);
    }

    DomainContext context() {
        return ctx;
    }

    /** Runs {@code body} as one operation: the QMP socket, once connected in it, is let go at its end. */
    <T> T operation(Supplier<T> body) {
        try (QmpSession.Operation op = qmp.begin()) {
            return body.get();
        }
    }

    void operation(Runnable body) {
        operation(() -> {
            body.run();
            return null;
        });
    }

    /**
     * Connects to QEMU (for the rest of the current operation), or fails with {@code code} and {@code message}
     * when no QEMU runs: libvirt's errors for an inactive domain.
     */
    void requireRunning(ErrorCode code, ErrorDomain where, String message) {
        try {
            if (qmp.reach().isEmpty()) {
                throw new VirtBackupException(code, where, message);
            }
        } catch (QmpException e) {
            throw e.toVirtBackupException();
        }
    }

    /** libvirt's {@code virDomainObjCheckActive}. */
    void requireRunning() {
        requireRunning(ErrorCode.OPERATION_INVALID, ErrorDomain.DOMAIN, "domain is not running");
    }

    @Override
    public String name() {
        return ctx.name();
    }

    @Override
    public BackupJob backupStart(String backupXml, String checkpointXml, Set<BackupStartFlag> flags) {
        Objects.requireNonNull(backupXml, "backupXml");
        Objects.requireNonNull(flags, "flags");
        return operation(() -> {
            requireBackupRunning();
            return new BackupService(ctx, fdGroups).start(backupXml, checkpointXml, flags, monitor);
        });
    }

    /** See {@link Domain#fdAssociate}: the descriptors are closed with this domain's connection. */
    @Override
    public void fdAssociate(String name, List<FileDescriptor> fds) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(fds, "fds");
        fdGroups.associate(name, fds);
        qmp.passDescriptors();
    }

    /** Stops watching jobs and closes the associated descriptors (the connection closes). */
    void close() {
        monitor.close();
        fdGroups.close();
    }

    /**
     * Ends a push that completed or failed before an operation looks at the domain (libvirt finalizes a
     * finished push job without {@code virDomainBackupEnd}); nothing to do without a job on record.
     */
    void settle() {
        new BackupEnder(ctx).settle();
    }

    private void requireBackupRunning() {
        requireRunning(ErrorCode.OPERATION_UNSUPPORTED, ErrorDomain.QEMU, "cannot perform disk backup for inactive domain");
    }

    @Override
    public BackupDryRun backupDryRun(String backupXml, String checkpointXml, Set<BackupStartFlag> flags) {
        Objects.requireNonNull(backupXml, "backupXml");
        Objects.requireNonNull(flags, "flags");
        return operation(() -> {
            requireBackupRunning();
            return new BackupService(ctx, fdGroups).dryRun(backupXml, checkpointXml, flags);
        });
    }

    @Override
    public BackupEndDryRun backupEndDryRun(Set<BackupEndFlag> flags) {
        Objects.requireNonNull(flags, "flags");
        return operation(() -> new BackupEnder(ctx).dryRun(flags));
    }

    @Override
    public String backupGetXmlDesc() {
        return operation(() -> new BackupService(ctx).xmlDesc());
    }

    @Override
    public Optional<BackupJob> currentBackup() {
        return operation(() -> {
            settle();
            return ctx.jobs().current().map(r -> (BackupJob) new QemuBackupJob(ctx, monitor, r));
        });
    }

    @Override
    public JobInfo backupEnd(Set<BackupEndFlag> flags) {
        Objects.requireNonNull(flags, "flags");
        return operation(() -> new BackupEnder(ctx).end(flags));
    }

    @Override
    public void abortJob() {
        operation(this::settle);
        if (ctx.jobs().current().isEmpty()) {
            throw new VirtBackupException(ErrorCode.OPERATION_INVALID, ErrorDomain.QEMU, "no job is active on the domain");
        }
        backupEnd(Set.of());
    }

    @Override
    public JobInfo jobInfo(boolean completed) {
        return operation(() -> {
            settle();
            if (completed) {
                return ctx.jobs().last().map(JobInfos::fromParams).orElse(JobInfos.none());
            }
            return ctx.jobs().current().map(r -> new QemuBackupJob(ctx, monitor, r).info()).orElse(JobInfos.none());
        });
    }

    @Override
    public DomainCheckpoint checkpointCreateXml(String checkpointXml, Set<CheckpointCreateFlag> flags) {
        Objects.requireNonNull(checkpointXml, "checkpointXml");
        Objects.requireNonNull(flags, "flags");
        return operation(() -> {
            // the service reports QUIESCE, and VALIDATE without REDEFINE, first, as libvirt's flag checks do
            if (!flags.contains(CheckpointCreateFlag.QUIESCE)) {
                if (!flags.contains(CheckpointCreateFlag.REDEFINE)) {
                    requireRunning(ErrorCode.OPERATION_UNSUPPORTED, ErrorDomain.QEMU,
                            "cannot create checkpoint for inactive domain");
                } else if (flags.contains(CheckpointCreateFlag.REDEFINE_VALIDATE)) {
                    requireRunning();
                }
            }
            settle();
            String name = new CheckpointService(ctx).create(checkpointXml, flags).name().orElseThrow();
            return new QemuCheckpoint(this, name);
        });
    }

    @Override
    public List<DomainCheckpoint> listAllCheckpoints(Set<CheckpointListFlag> flags) {
        Objects.requireNonNull(flags, "flags");
        operation(this::settle);
        return ctx.checkpoints().tree().list(flags).stream()
                .map(n -> (DomainCheckpoint) new QemuCheckpoint(this, n)).toList();
    }

    @Override
    public DomainCheckpoint checkpointLookupByName(String name) {
        Objects.requireNonNull(name, "name");
        if (ctx.checkpoints().load(name).isEmpty()) {
            // from QEMU (10), as libvirt's qemuCheckpointObjFromName raises it (ConformanceTest)
            throw new VirtBackupException(ErrorCode.NO_DOMAIN_CHECKPOINT, ErrorDomain.QEMU,
                    "no domain checkpoint with matching name '" + name + "'");
        }
        return new QemuCheckpoint(this, name);
    }

    @Override
    public CheckpointHealth checkpointHealth() {
        return operation(() -> {
            requireRunning();
            return new CheckpointRepair(ctx).health();
        });
    }

    @Override
    public DomainCheckpoint checkpointAdoptBitmap(String bitmap) {
        Objects.requireNonNull(bitmap, "bitmap");
        return operation(() -> {
            requireRunning();
            return new QemuCheckpoint(this, new CheckpointRepair(ctx).adopt(bitmap).name().orElseThrow());
        });
    }

    @Override
    public void checkpointRemoveBitmap(String bitmap) {
        Objects.requireNonNull(bitmap, "bitmap");
        operation(() -> {
            requireRunning();
            new CheckpointRepair(ctx).removeBitmap(bitmap);
        });
    }
}
