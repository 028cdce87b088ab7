// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a point holds: written last, atomically, so that a point with a manifest is complete.
 *
 * @param domain the domain's name
 * @param checkpoint the checkpoint the backup created; also the point's name
 * @param parent the previous point of the chain (the incremental's base); empty for a full
 * @param level {@link Level#FULL} or {@link Level#INC}
 * @param disks the disks, in the order they were backed up
 * @param started when the backup started
 * @param ended when the data was complete
 * @param domainXml the libvirt {@code <domain>} the driver embedded in the point's checkpoint (security-sensitive
 *     parts left out), to define the VM again at restore; empty when the driver knows none
 * @since 0.1
 */
public record PointManifest(String domain, String checkpoint, Optional<String> parent, Level level,
                            List<DiskEntry> disks, Instant started, Instant ended, Optional<String> domainXml) {
    public PointManifest {
        Objects.requireNonNull(domainXml, "domainXml");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(parent, "parent");
        Objects.requireNonNull(level, "level");
        disks = List.copyOf(disks);
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(ended, "ended");
        if (level == Level.AUTO || (level == Level.INC) != parent.isPresent()) {
            throw new IllegalArgumentException("a full has no parent, an incremental has one: " + level + " "
                    + parent);
        }
    }

    /** Without a domain XML. */
    public PointManifest(String domain, String checkpoint, Optional<String> parent, Level level,
                         List<DiskEntry> disks, Instant started, Instant ended) {
        this(domain, checkpoint, parent, level, disks, started, ended, Optional.empty());
    }

    /** The disk named {@code name}, if the point has it. */
    public Optional<DiskEntry> disk(String name) {
        return disks.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    /** Bytes read from the exports, all disks. */
    public long bytesRead() {
        return disks.stream().mapToLong(DiskEntry::bytesRead).sum();
    }
}
