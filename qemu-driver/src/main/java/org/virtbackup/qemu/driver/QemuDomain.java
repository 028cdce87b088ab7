// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.io.FileDescriptor;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.virtbackup.api.BackupDryRun;
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

/** The QEMU driver's {@link Domain}: checks arguments, then delegates to the services. */
final class QemuDomain implements Domain {

    private final DomainContext ctx;
    private final FdGroups fdGroups = new FdGroups();

    QemuDomain(DomainContext ctx) {
        this.ctx = ctx;
        // Reconciliation at open: report (warn) what does not match, change nothing.
        CheckpointRepair.logAtOpen(ctx);
    }

    DomainContext context() {
        return ctx;
    }

    @Override
    public String name() {
        return ctx.name();
    }

    @Override
    public BackupJob backupStart(String backupXml, String checkpointXml, Set<BackupStartFlag> flags) {
        Objects.requireNonNull(backupXml, "backupXml");
        Objects.requireNonNull(flags, "flags");
        return new BackupService(ctx, fdGroups).start(backupXml, checkpointXml, flags);
    }

    /** See {@link Domain#fdAssociate}: the descriptors are closed with this domain's connection. */
    @Override
    public void fdAssociate(String name, List<FileDescriptor> fds) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(fds, "fds");
        fdGroups.associate(name, fds);
    }

    /** Closes the associated descriptors (the connection closes). */
    void close() {
        fdGroups.close();
    }

    @Override
    public BackupDryRun backupDryRun(String backupXml, String checkpointXml, Set<BackupStartFlag> flags) {
        Objects.requireNonNull(backupXml, "backupXml");
        Objects.requireNonNull(flags, "flags");
        return new BackupService(ctx, fdGroups).dryRun(backupXml, checkpointXml, flags);
    }

    @Override
    public String backupGetXmlDesc() {
        return new BackupService(ctx).xmlDesc();
    }

    @Override
    public Optional<BackupJob> currentBackup() {
        return ctx.jobs().current().map(r -> new QemuBackupJob(ctx, r));
    }

    @Override
    public JobInfo backupEnd(Set<BackupEndFlag> flags) {
        Objects.requireNonNull(flags, "flags");
        return new BackupEnder(ctx).end(flags);
    }

    @Override
    public void abortJob() {
        if (ctx.jobs().current().isEmpty()) {
            throw new VirtBackupException(ErrorCode.OPERATION_INVALID, ErrorDomain.QEMU, "no job is active on the domain");
        }
        backupEnd(Set.of());
    }

    @Override
    public JobInfo jobInfo(boolean completed) {
        return new BackupService(ctx).jobInfo(completed);
    }

    @Override
    public DomainCheckpoint checkpointCreateXml(String checkpointXml, Set<CheckpointCreateFlag> flags) {
        Objects.requireNonNull(checkpointXml, "checkpointXml");
        Objects.requireNonNull(flags, "flags");
        String name = new CheckpointService(ctx).create(checkpointXml, flags).name().orElseThrow();
        return new QemuCheckpoint(this, name);
    }

    @Override
    public List<DomainCheckpoint> listAllCheckpoints(Set<CheckpointListFlag> flags) {
        Objects.requireNonNull(flags, "flags");
        return ctx.checkpoints().tree().list(flags).stream()
                .map(n -> (DomainCheckpoint) new QemuCheckpoint(this, n)).toList();
    }

    @Override
    public DomainCheckpoint checkpointLookupByName(String name) {
        Objects.requireNonNull(name, "name");
        if (ctx.checkpoints().load(name).isEmpty()) {
            throw new VirtBackupException(ErrorCode.NO_DOMAIN_CHECKPOINT, ErrorDomain.DOMAIN_CHECKPOINT,
                    "no domain checkpoint with matching name '" + name + "'");
        }
        return new QemuCheckpoint(this, name);
    }

    @Override
    public CheckpointHealth checkpointHealth() {
        return new CheckpointRepair(ctx).health();
    }

    @Override
    public DomainCheckpoint checkpointAdoptBitmap(String bitmap) {
        Objects.requireNonNull(bitmap, "bitmap");
        return new QemuCheckpoint(this, new CheckpointRepair(ctx).adopt(bitmap).name().orElseThrow());
    }

    @Override
    public void checkpointRemoveBitmap(String bitmap) {
        Objects.requireNonNull(bitmap, "bitmap");
        new CheckpointRepair(ctx).removeBitmap(bitmap);
    }
}
