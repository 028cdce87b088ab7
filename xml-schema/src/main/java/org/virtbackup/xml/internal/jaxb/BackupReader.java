// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal.jaxb;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.xml.internal.Errors;
import org.virtbackup.xml.internal.PathTracker;
import org.virtbackup.xml.model.BackupDef;
import org.virtbackup.xml.model.BackupDiskDef;
import org.virtbackup.xml.model.BackupDiskState;
import org.virtbackup.xml.model.DiskBackupMode;
import org.virtbackup.xml.model.ServerDef;
import org.virtbackup.xml.model.StoreDef;
import org.virtbackup.xml.model.StoreType;
import org.virtbackup.xml.model.XmlNode;

/**
 * libvirt's {@code virDomainBackupDefParse} and {@code virDomainBackupDiskDefParseXML} over the JAXB binding:
 * defaults, value checks and their messages (libvirt-backup-reference.md §1.1-1.3). Alignment rules are not
 * here but in {@code BackupAligner}, as in libvirt.
 */
final class BackupReader {
    private static final ErrorDomain DOMAIN = ErrorDomain.DOMAIN;
    /** Storage types libvirt knows but refuses for a backup store ("unsupported disk backup type"). */
    private static final Set<String> OTHER_STORAGE_TYPES =
            Set.of("dir", "network", "volume", "nvme", "vhostuser", "vhostvdpa");
    /** {@code virStorageFileFormat} names other than "none". */
    private static final Set<String> FORMATS = Set.of("raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi",
            "fat", "vhd", "ploop", "cow", "qcow", "qcow2", "qed", "vmdk", "luks");

    private final boolean internal;
    private final Map<String, XmlNode> privateData;

    private BackupReader(boolean internal, Map<String, XmlNode> privateData) {
        this.internal = internal;
        this.privateData = privateData;
    }

    /** Reads a bound document; {@code privateData} holds the captured subtrees by indexed path. */
    static BackupDef read(BackupBinding b, boolean internal, Map<String, XmlNode> privateData) {
        return new BackupReader(internal, privateData).read(b);
    }

    private BackupDef read(BackupBinding b) {
        BackupMode mode = BackupMode.PUSH;
        if (b.mode != null) {
            mode = switch (b.mode) {
                case "push" -> BackupMode.PUSH;
                case "pull" -> BackupMode.PULL;
                default -> throw Errors.unsupported(DOMAIN, "unknown backup mode '" + b.mode + "'");
            };
        }
        // virXPathString("string(./incremental)") yields NULL for an empty element: a full backup
        Optional<String> incremental = Optional.ofNullable(b.incremental).filter(s -> !s.isEmpty());
        Optional<ServerDef> server = Optional.empty();
        if (b.server != null) {
            if (mode != BackupMode.PULL) {
                throw Errors.unsupported(DOMAIN, "use of <server> requires pull mode backup");
            }
            server = Optional.of(ServerReader.read(b.server));
        }
        List<BackupDiskDef> disks = new ArrayList<>();
        if (b.disks != null) {
            for (int i = 0; i < b.disks.size(); i++) {
                disks.add(disk(b.disks.get(i), mode == BackupMode.PUSH, PathTracker.disk("domainbackup", i)));
            }
        }
        Optional<XmlNode> topPrivate = internal
                ? Optional.ofNullable(privateData.get("domainbackup[0]/privateData[0]")) : Optional.empty();
        return new BackupDef(mode, incremental, server, disks, topPrivate);
    }

    private BackupDiskDef disk(BackupDiskBinding d, boolean push, String path) {
        if (d.name == null) {
            throw Errors.xml(DOMAIN, "missing name from disk backup element");
        }
        boolean backup = tristate(d.backup, "backup", "disk").orElse(true);
        if (!backup) {
            // libvirt reads nothing else of a disk that is not backed up
            return BackupDiskDef.excluded(d.name);
        }
        Optional<DiskBackupMode> mode = Optional.empty();
        if (d.backupmode != null) {
            mode = Optional.of(DiskBackupMode.fromXml(d.backupmode).orElseThrow(() -> Errors.xml(DOMAIN,
                    "invalid backupmode '" + d.backupmode + "' of disk '" + d.name + "'")));
        }
        Optional<String> exportName = push ? Optional.empty() : Optional.ofNullable(d.exportname);
        Optional<String> exportBitmap = push ? Optional.empty() : Optional.ofNullable(d.exportbitmap);
        Optional<BackupDiskState> state = internal ? Optional.of(state(d)) : Optional.empty();
        StoreType type = storeType(d.type);
        StoreBinding store = push ? d.target : d.scratch;
        String storePath = path + (push ? "/target[0]" : "/scratch[0]");
        Optional<StoreDef> storeDef = Optional.ofNullable(store).map(s -> StoreReader.read(s, type,
                internal ? Optional.ofNullable(privateData.get(storePath + "/privateData[0]")) : Optional.empty()));
        Optional<String> driver = Optional.ofNullable(d.driver).map(dr -> driverType(dr.type, push));
        OptionalInt index = internal ? index(d.index) : OptionalInt.empty();
        return new BackupDiskDef(d.name, true, type, mode, Optional.ofNullable(d.incremental), exportName,
                exportBitmap, index, state, driver, storeDef);
    }

    private static BackupDiskState state(BackupDiskBinding d) {
        return Optional.ofNullable(d.state).flatMap(BackupDiskState::fromXml).orElseThrow(() -> Errors.of(
                ErrorCode.INTERNAL_ERROR, DOMAIN, "disk '" + d.name + "' backup state wrong or missing"));
    }

    private static OptionalInt index(String text) {
        if (text == null) {
            return OptionalInt.empty();
        }
        try {
            int v = Integer.parseInt(text);
            return v == 0 ? OptionalInt.empty() : OptionalInt.of(v);
        } catch (NumberFormatException e) {
            throw Errors.xml(DOMAIN, "cannot parse disk index '" + text + "'");
        }
    }

    private static StoreType storeType(String type) {
        if (type == null) {
            return StoreType.FILE;
        }
        Optional<StoreType> t = StoreType.fromXml(type);
        if (t.isPresent()) {
            return t.get();
        }
        if (OTHER_STORAGE_TYPES.contains(type)) {
            throw Errors.xml(DOMAIN, "unsupported disk backup type '" + type + "'");
        }
        throw Errors.xml(DOMAIN, "unknown disk backup type '" + type + "'");
    }

    private static String driverType(String type, boolean push) {
        if (type == null || !FORMATS.contains(type)) {
            throw Errors.of(ErrorCode.INVALID_ARG, DOMAIN, "unknown disk backup driver '" + type + "'");
        }
        if (!push && !type.equals("qcow2")) {
            throw Errors.of(ErrorCode.INVALID_ARG, DOMAIN, "pull mode requires qcow2 driver, not '" + type + "'");
        }
        return type;
    }

    /** {@code virXMLPropTristateBool}: absent, {@code yes} or {@code no}. */
    static Optional<Boolean> tristate(String value, String attribute, String element) {
        if (value == null) {
            return Optional.empty();
        }
        return switch (value) {
            case "yes" -> Optional.of(true);
            case "no" -> Optional.of(false);
            default -> throw Errors.xml(DOMAIN, "invalid value for attribute '" + attribute + "' in element '"
                    + element + "': '" + value + "'. Expected 'yes' or 'no'");
        };
    }
}
