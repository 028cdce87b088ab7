// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.virtbackup.api.BackupMode;

/**
 * A {@code <domainbackup>} (libvirt-backup-reference.md §1.1).
 *
 * @param mode push (default) or pull
 * @param incremental backup-wide checkpoint name; empty means full (unless a disk says otherwise)
 * @param server pull only: the NBD server
 * @param disks the {@code <disk>} elements in document order; after alignment every domain disk, listed ones
 *     first
 * @param privateData internal form only: libvirt's top-level {@code <privateData>}, kept verbatim
 */
public record BackupDef(BackupMode mode, Optional<String> incremental, Optional<ServerDef> server,
                        List<BackupDiskDef> disks, Optional<XmlNode> privateData) {
    public BackupDef {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(incremental, "incremental");
        Objects.requireNonNull(server, "server");
        disks = List.copyOf(disks);
        Objects.requireNonNull(privateData, "privateData");
    }

    /** A public-form definition (no private data). */
    public BackupDef(BackupMode mode, Optional<String> incremental, Optional<ServerDef> server,
                     List<BackupDiskDef> disks) {
        this(mode, incremental, server, disks, Optional.empty());
    }

    /** A copy with other disks. */
    public BackupDef withDisks(List<BackupDiskDef> newDisks) {
        return new BackupDef(mode, incremental, server, newDisks, privateData);
    }

    /** A copy with another server. */
    public BackupDef withServer(ServerDef newServer) {
        return new BackupDef(mode, incremental, Optional.of(newServer), disks, privateData);
    }

    /** A copy with another backup-wide checkpoint name. */
    public BackupDef withIncremental(Optional<String> newIncremental) {
        return new BackupDef(mode, newIncremental, server, disks, privateData);
    }

    /** A copy without the internal private data (what the public form shows). */
    public BackupDef withoutPrivateData() {
        return new BackupDef(mode, incremental, server, disks, Optional.empty());
    }

    /** The disk called {@code diskName}, if listed. */
    public Optional<BackupDiskDef> disk(String diskName) {
        return disks.stream().filter(d -> d.name().equals(diskName)).findFirst();
    }
}
