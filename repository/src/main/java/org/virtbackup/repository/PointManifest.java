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
 * @since 0.1
 */
public record PointManifest(String domain, String checkpoint, Optional<String> parent, Level level,
                            List<DiskEntry> disks, Instant started, Instant ended) {
    public PointManifest {
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

    /** The disk named {@code name}, if the point has it. */
    public Optional<DiskEntry> disk(String name) {
        return disks.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    /** Bytes read from the exports, all disks. */
    public long bytesRead() {
        return disks.stream().mapToLong(DiskEntry::bytesRead).sum();
    }
}
