// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.util.List;
import java.util.Objects;

/**
 * What {@code repo backup} was asked for.
 *
 * @param level full, incremental, or chosen by the repository's state
 * @param disks the disks to back up; empty: every disk of the domain (a full) or of the previous point (an
 *     incremental)
 * @param workers parallel connections per disk, at least 1
 * @since 0.1
 */
public record BackupRequest(Level level, List<String> disks, int workers) {
    /** Four connections per disk: what keeps QEMU's NBD server busy on 2 to 8 cores. */
    public static final int DEFAULT_WORKERS = 4;

    public BackupRequest {
        Objects.requireNonNull(level, "level");
        disks = List.copyOf(disks);
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1: " + workers);
        }
        if (disks.stream().distinct().count() != disks.size()) {
            throw new IllegalArgumentException("a disk is named twice: " + disks);
        }
    }

    /** {@code level} for every disk, with the default workers. */
    public static BackupRequest of(Level level) {
        return new BackupRequest(level, List.of(), DEFAULT_WORKERS);
    }
}
