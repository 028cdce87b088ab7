// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.xml.internal.Errors;
import org.virtbackup.xml.model.BackupDef;
import org.virtbackup.xml.model.BackupDiskDef;
import org.virtbackup.xml.model.DiskBackupMode;
import org.virtbackup.xml.model.DiskType;
import org.virtbackup.xml.model.DomainDef;
import org.virtbackup.xml.model.DomainDiskDef;
import org.virtbackup.xml.model.ServerDef;
import org.virtbackup.xml.model.StoreDef;
import org.virtbackup.xml.model.StoreType;

/**
 * Fills a backup definition's defaults against a domain's disks, and refuses what libvirt refuses: libvirt's
 * {@code virDomainBackupAlignDisks} (§1.4) followed by the defaults and checks {@code qemuBackupBegin} applies
 * before it talks to QEMU ({@code qemuBackupPrepare}, {@code qemuBackupDiskPrepareData}, §1.2, §1.5). The
 * result is what {@code virDomainBackupGetXMLDesc} shows once the job runs (minus {@code index}, which the
 * driver sets when it names the nodes). Pure: the suffix is passed in.
 *
 * @since 0.1
 */
public final class BackupAligner {
    private BackupAligner() {
    }

    /**
     * Aligns {@code def} with {@code domain}; no check that incremental checkpoints exist.
     *
     * @param suffix suffix of generated target/scratch names: the new checkpoint's name, or the start time in
     *     epoch seconds
     * @throws VirtBackupException CONFIG_UNSUPPORTED for every alignment rejection, OPERATION_UNSUPPORTED for a
     *     pull backup over TCP without a port
     */
    public static BackupDef align(BackupDef def, DomainDef domain, String suffix) {
        return align(def, domain, suffix, name -> true);
    }

    /**
     * Aligns {@code def} with {@code domain}, refusing incremental disks whose checkpoint
     * {@code checkpointExists} does not know (NO_DOMAIN_CHECKPOINT, as libvirt does at begin).
     */
    public static BackupDef align(BackupDef def, DomainDef domain, String suffix,
                                  Predicate<String> checkpointExists) {
        Objects.requireNonNull(def, "def");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(suffix, "suffix");
        Objects.requireNonNull(checkpointExists, "checkpointExists");
        BackupDef aligned = alignDisks(def, domain, suffix);
        aligned = prepareServer(aligned);
        return prepareDisks(aligned, checkpointExists);
    }

    /**
     * Only libvirt's {@code virDomainBackupAlignDisks}: disk selection, generated stores, backup mode
     * resolution. This is what libvirt's own xml2xml tests exercise.
     */
    public static BackupDef alignDisks(BackupDef def, DomainDef domain, String suffix) {
        if (domain.disks().isEmpty()) {
            throw unsupported("domain must have at least one disk to perform backup");
        }
        Set<String> listed = new HashSet<>();
        List<BackupDiskDef> disks = new ArrayList<>();
        for (BackupDiskDef disk : def.disks()) {
            DomainDiskDef dd = domain.diskByTarget(disk.name())
                    .orElseThrow(() -> unsupported("no disk named '" + disk.name() + "'"));
            if (!listed.add(disk.name())) {
                throw unsupported("disk '" + disk.name() + "' specified twice");
            }
            if (disk.backupMode().filter(m -> m == DiskBackupMode.INCREMENTAL).isPresent()
                    && disk.incremental().isEmpty() && def.incremental().isEmpty()) {
                throw unsupported("'incremental' backup mode of disk '" + disk.name()
                        + "' requires setting 'incremental' field for disk or backup");
            }
            disks.add(disk.backup() ? assignStore(disk, dd, suffix) : disk);
        }
        // no <disks> at all: every writable disk with media; otherwise unlisted disks are left out
        boolean all = def.disks().isEmpty();
        for (DomainDiskDef dd : domain.disks()) {
            if (listed.contains(dd.targetDev())) {
                continue;
            }
            if (all && !dd.isEmpty() && !dd.readonly()) {
                disks.add(assignStore(BackupDiskDef.selected(dd.targetDev()), dd, suffix));
            } else {
                disks.add(BackupDiskDef.excluded(dd.targetDev()));
            }
        }
        List<BackupDiskDef> resolved = disks.stream().map(d -> resolveMode(d, def.incremental())).toList();
        return def.withDisks(resolved);
    }

    /** {@code virDomainBackupDefAssignStore}: a disk without a store path gets {@code <source path>.<suffix>}. */
    private static BackupDiskDef assignStore(BackupDiskDef disk, DomainDiskDef dd, String suffix) {
        if (dd.isEmpty()) {
            throw unsupported("disk '" + disk.name() + "' has no media");
        }
        if (disk.store().flatMap(StoreDef::path).isPresent()) {
            return disk;
        }
        // only a local file source yields a sensible sibling file name
        if (dd.type() != DiskType.FILE) {
            throw unsupported("refusing to generate file name for disk '" + disk.name() + "'");
        }
        String path = dd.sourcePath().orElseThrow() + "." + suffix;
        StoreDef store = disk.store().map(s -> s.withPath(path)).orElse(StoreDef.of(path));
        return disk.withStoreType(StoreType.FILE).withStore(store);
    }

    /** backupmode defaults to incremental when a checkpoint applies; an incremental disk inherits it. */
    private static BackupDiskDef resolveMode(BackupDiskDef disk, Optional<String> incremental) {
        if (!disk.backup()) {
            return disk;
        }
        BackupDiskDef d = disk;
        if (d.backupMode().isEmpty()) {
            boolean inc = incremental.isPresent() || d.incremental().isPresent();
            d = d.withBackupMode(inc ? DiskBackupMode.INCREMENTAL : DiskBackupMode.FULL);
        }
        if (d.backupMode().get() == DiskBackupMode.INCREMENTAL && d.incremental().isEmpty()) {
            d = d.withIncremental(incremental);
        }
        return d;
    }

    /** {@code qemuBackupPrepare}: pull defaults to {@code tcp} on {@code localhost}, and TCP needs a port. */
    private static BackupDef prepareServer(BackupDef def) {
        if (def.mode() != BackupMode.PULL) {
            return def;
        }
        ServerDef server = def.server().orElse(ServerDef.tcp("localhost", java.util.OptionalInt.empty()));
        switch (server.transport()) {
            case TCP -> {
                // libvirt has no port allocator for backups yet (reference §1.2): the caller must choose one
                if (server.port().isEmpty()) {
                    throw new VirtBackupException(ErrorCode.OPERATION_UNSUPPORTED, ErrorDomain.QEMU,
                            "<domainbackup> must specify TCP port for now");
                }
            }
            case UNIX, FD -> {
                // nothing to default
            }
            case RDMA -> throw Errors.unsupported(ErrorDomain.QEMU, "unexpected transport in <domainbackup>");
        }
        return def.withServer(server);
    }

    /** {@code qemuBackupDiskPrepareData} and the pull export defaults, for every selected disk. */
    private static BackupDef prepareDisks(BackupDef def, Predicate<String> checkpointExists) {
        boolean pull = def.mode() == BackupMode.PULL;
        List<BackupDiskDef> disks = new ArrayList<>();
        int selected = 0;
        for (BackupDiskDef disk : def.disks()) {
            if (disk.backup()) {
                selected++;
                disk = prepareDisk(disk, pull, checkpointExists);
            }
            disks.add(disk);
        }
        if (selected == 0) {
            throw Errors.unsupported(ErrorDomain.QEMU, "no disks selected for backup");
        }
        return def.withDisks(disks);
    }

    private static BackupDiskDef prepareDisk(BackupDiskDef disk, boolean pull, Predicate<String> exists) {
        BackupDiskDef d = disk;
        if (d.driverType().isEmpty()) {
            d = d.withDriverType("qcow2");
        } else if (pull && !d.driverType().get().equals("qcow2")) {
            throw Errors.unsupported(ErrorDomain.QEMU,
                    "pull mode backup for disk '" + d.name() + "' requires qcow2 driver");
        }
        boolean incremental = d.backupMode().filter(m -> m == DiskBackupMode.INCREMENTAL).isPresent();
        if (incremental) {
            String checkpoint = d.incremental().orElseThrow();
            if (!exists.test(checkpoint)) {
                throw new VirtBackupException(ErrorCode.NO_DOMAIN_CHECKPOINT, ErrorDomain.QEMU, "Checkpoint '"
                        + checkpoint + "' for incremental backup of disk '" + d.name() + "' not found");
            }
        }
        if (pull) {
            // the temporary bitmap of an incremental pull is exported as backup-<disk> unless named
            if (incremental && d.exportBitmap().isEmpty()) {
                d = d.withExportBitmap("backup-" + d.name());
            }
            if (d.exportName().isEmpty()) {
                d = d.withExportName(d.name());
            }
        }
        return d;
    }

    private static VirtBackupException unsupported(String message) {
        return Errors.unsupported(ErrorDomain.DOMAIN, message);
    }
}
