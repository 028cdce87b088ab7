// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.xml.internal.Errors;
import org.virtbackup.xml.model.CheckpointDef;
import org.virtbackup.xml.model.CheckpointDiskDef;
import org.virtbackup.xml.model.CheckpointType;
import org.virtbackup.xml.model.DomainDef;
import org.virtbackup.xml.model.DomainDiskDef;
import org.virtbackup.xml.model.EmbeddedDomain;

/**
 * Aligns a checkpoint's disks with a domain: libvirt's {@code virDomainCheckpointAlignDisks} and
 * {@code virDomainCheckpointDefAssignBitmapNames} (libvirt-backup-reference.md §2.2), plus, for new
 * checkpoints, the checks of the QEMU driver's {@code qemuCheckpointPrepare}. Pure.
 *
 * @since 0.1
 */
public final class CheckpointAligner {
    private static final ErrorDomain DOMAIN = ErrorDomain.DOMAIN_CHECKPOINT;

    private CheckpointAligner() {
    }

    /**
     * Aligns a new checkpoint with the live {@code domain}, which becomes its embedded domain (libvirt stores
     * the definition at checkpoint time). {@code def} must be named ({@link CheckpointXml#postParse}).
     *
     * @throws VirtBackupException CONFIG_UNSUPPORTED for an unknown, duplicate, empty or read-only disk, too
     *     many disks, a domain without disks, a bitmap not named after the checkpoint, or a non-qcow2 disk;
     *     INVALID_ARG when {@code def} has no name
     */
    public static CheckpointDef align(CheckpointDef def, DomainDef domain) {
        Objects.requireNonNull(def, "def");
        Objects.requireNonNull(domain, "domain");
        String name = def.name().orElseThrow(() -> new VirtBackupException(ErrorCode.INVALID_ARG, DOMAIN,
                "checkpoint has no name: assign one (CheckpointXml.postParse) before alignment"));
        CheckpointDef aligned = alignDisks(def.withDomain(Optional.of(new EmbeddedDomain(domain))), domain, name);
        for (CheckpointDiskDef disk : aligned.disks()) {
            if (disk.checkpoint() != CheckpointType.BITMAP) {
                continue;
            }
            if (!disk.bitmap().orElseThrow().equals(name)) {
                throw Errors.unsupported(ErrorDomain.QEMU, "bitmap for disk '" + disk.name()
                        + "' must match checkpoint name '" + name + "'");
            }
            // persistent bitmaps live in qcow2 images only
            Optional<String> format = domain.diskByTarget(disk.name()).flatMap(DomainDiskDef::driverType);
            if (format.isPresent() && !format.get().equals("qcow2")) {
                throw Errors.unsupported(ErrorDomain.QEMU, "checkpoint for disk " + disk.name()
                        + " unsupported for storage type " + format.get());
            }
        }
        return aligned;
    }

    /**
     * Aligns a redefined checkpoint (§2.4): against its embedded domain when it has one, otherwise only the
     * default bitmap names are assigned.
     */
    public static CheckpointDef alignRedefine(CheckpointDef def) {
        Objects.requireNonNull(def, "def");
        String name = def.name().orElseThrow(() -> Errors.xml(DOMAIN, "a redefined checkpoint must have a name"));
        if (def.domain().isPresent()) {
            return alignDisks(def, def.domain().get().definition(), name);
        }
        return def.withDisks(assignBitmapNames(def.disks(), name));
    }

    private static CheckpointDef alignDisks(CheckpointDef def, DomainDef domain, String name) {
        if (def.disks().size() > domain.disks().size()) {
            throw Errors.unsupported(DOMAIN, "too many disk checkpoint requests for domain");
        }
        if (domain.disks().isEmpty()) {
            throw Errors.unsupported(DOMAIN, "domain must have at least one disk to perform checkpoints");
        }
        Map<String, CheckpointDiskDef> byTarget = new HashMap<>();
        for (CheckpointDiskDef disk : def.disks()) {
            DomainDiskDef dd = domain.diskByName(disk.name())
                    .orElseThrow(() -> Errors.unsupported(DOMAIN, "no disk named '" + disk.name() + "'"));
            if (byTarget.containsKey(dd.targetDev())) {
                throw Errors.unsupported(DOMAIN, "disk '" + disk.name() + "' specified twice");
            }
            if ((dd.isEmpty() || dd.readonly()) && disk.checkpoint() != CheckpointType.NO) {
                throw Errors.unsupported(DOMAIN, "disk '" + disk.name() + "' is empty or readonly");
            }
            // a disk named by its source path is reported by its target
            byTarget.put(dd.targetDev(), disk.withName(dd.targetDev()));
        }
        // without <disks> every writable disk with media gets a bitmap; with <disks> the others get none
        boolean all = def.disks().isEmpty();
        List<CheckpointDiskDef> disks = new ArrayList<>();
        for (DomainDiskDef dd : domain.disks()) {
            CheckpointDiskDef listed = byTarget.get(dd.targetDev());
            if (listed != null) {
                disks.add(listed);
            } else if (all && !dd.isEmpty() && !dd.readonly()) {
                disks.add(new CheckpointDiskDef(dd.targetDev(), CheckpointType.BITMAP, Optional.empty(),
                        java.util.OptionalLong.empty()));
            } else {
                disks.add(CheckpointDiskDef.none(dd.targetDev()));
            }
        }
        return def.withDisks(assignBitmapNames(disks, name));
    }

    private static List<CheckpointDiskDef> assignBitmapNames(List<CheckpointDiskDef> disks, String name) {
        return disks.stream().map(d -> d.checkpoint() == CheckpointType.BITMAP && d.bitmap().isEmpty()
                ? d.withBitmap(name) : d).toList();
    }
}
