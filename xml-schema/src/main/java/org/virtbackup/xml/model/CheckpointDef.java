// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A {@code <domaincheckpoint>} (libvirt-backup-reference.md §2).
 *
 * @param name checkpoint name; empty on create until the driver names it after the creation time
 * @param description free text
 * @param parent parent checkpoint name (honoured on redefine only)
 * @param creationTime creation time in epoch seconds (read-only; required on redefine)
 * @param disks the disks; after alignment one per domain disk, in domain order
 * @param domain the embedded domain definition
 */
public record CheckpointDef(Optional<String> name, Optional<String> description, Optional<String> parent,
                            OptionalLong creationTime, List<CheckpointDiskDef> disks,
                            Optional<EmbeddedDomain> domain) {
    public CheckpointDef {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(parent, "parent");
        Objects.requireNonNull(creationTime, "creationTime");
        disks = List.copyOf(disks);
        Objects.requireNonNull(domain, "domain");
    }

    /** A copy with another name. */
    public CheckpointDef withName(String newName) {
        return new CheckpointDef(Optional.of(newName), description, parent, creationTime, disks, domain);
    }

    /** A copy with another parent. */
    public CheckpointDef withParent(Optional<String> newParent) {
        return new CheckpointDef(name, description, newParent, creationTime, disks, domain);
    }

    /** A copy with another creation time. */
    public CheckpointDef withCreationTime(long epochSeconds) {
        return new CheckpointDef(name, description, parent, OptionalLong.of(epochSeconds), disks, domain);
    }

    /** A copy with other disks. */
    public CheckpointDef withDisks(List<CheckpointDiskDef> newDisks) {
        return new CheckpointDef(name, description, parent, creationTime, newDisks, domain);
    }

    /** A copy with another embedded domain. */
    public CheckpointDef withDomain(Optional<EmbeddedDomain> newDomain) {
        return new CheckpointDef(name, description, parent, creationTime, disks, newDomain);
    }
}
