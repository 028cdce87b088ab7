// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Objects;

/**
 * What {@code repo backup} was asked for.
 *
 * @param level full, incremental, or chosen by the repository's state
 * @param disks the disks to back up; empty: every disk of the domain (a full) or of the previous point (an
 *     incremental)
 * @param workers parallel connections per disk, at least 1
 * @param scratchDir where QEMU keeps the scratch images of the pull (the disks' names must then be known:
 *     named in {@code disks}, or those of the previous point); empty: the driver's default, next to each disk
 * @param compress write compressed qcow2 clusters (QEMU's {@code compress} filter over the point's file)
 * @since 0.1
 */
public record BackupRequest(Level level, List<String> disks, int workers, Optional<Path> scratchDir,
                            boolean compress) {
    /** Four connections per disk: what keeps QEMU's NBD server busy on 2 to 8 cores. */
    public static final int DEFAULT_WORKERS = 4;

    public BackupRequest {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(scratchDir, "scratchDir");
        disks = List.copyOf(disks);
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1: " + workers);
        }
        if (disks.stream().distinct().count() != disks.size()) {
            throw new IllegalArgumentException("a disk is named twice: " + disks);
        }
    }

    /** Without compression. */
    public BackupRequest(Level level, List<String> disks, int workers, Optional<Path> scratchDir) {
        this(level, disks, workers, scratchDir, false);
    }

    /** {@code level} for every disk, with the default workers, without compression. */
    public static BackupRequest of(Level level) {
        return new BackupRequest(level, List.of(), DEFAULT_WORKERS, Optional.empty());
    }
}
