// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import java.util.Objects;
import java.util.Optional;

/**
 * What to do with one disk: the planner's view of an aligned libvirt {@code <disk backup='yes'>}. Defaults
 * are already filled in by the caller (libvirt-backup-reference.md §1.4), except the export name and bitmap,
 * which default here as libvirt's alignment does.
 *
 * @param disk the disk name as in the {@link org.virtbackup.qemu.block.BlockGraph}
 * @param incrementalSince empty for a full backup, else the bitmap of the checkpoint the incremental backup
 *     starts at (the checkpoint's name, unless a redefined checkpoint records another for this disk)
 * @param store whether the target (push) or scratch (pull) is a file or a block device
 * @param path the target or scratch path
 * @param format the target format; pull scratch must be qcow2
 * @param exportName pull: the NBD export name, default the disk name
 * @param exportBitmap pull incremental: the exported bitmap, default {@code backup-<disk>}
 * @param backingTarget push incremental into qcow2: the previous backup of the chain, written as the new
 *     image's backing file so that full ← inc1 ← inc2 restores without a rebase (see package-info)
 */
public record DiskRequest(String disk, Optional<String> incrementalSince, StoreType store, String path,
        TargetFormat format, Optional<String> exportName, Optional<String> exportBitmap,
        Optional<BackingTarget> backingTarget) {

    /** A file or a block device. */
    public enum StoreType {
        FILE, BLOCK
    }

    /** The target image format. */
    public enum TargetFormat {
        QCOW2("qcow2"), RAW("raw");

        private final String qemuName;

        TargetFormat(String qemuName) {
            this.qemuName = qemuName;
        }

        /** The QEMU driver name. */
        public String qemuName() {
            return qemuName;
        }
    }

    /**
     * The image an incremental target builds on.
     *
     * @param path its path, as it should appear in the header (absolute, or relative to the new image)
     * @param format its format
     */
    public record BackingTarget(String path, TargetFormat format) {
        public BackingTarget {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(format, "format");
        }
    }

    public DiskRequest {
        Objects.requireNonNull(disk, "disk");
        Objects.requireNonNull(incrementalSince, "incrementalSince");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(exportName, "exportName");
        Objects.requireNonNull(exportBitmap, "exportBitmap");
        Objects.requireNonNull(backingTarget, "backingTarget");
    }

    /** A full backup of {@code disk} into a qcow2 file. */
    public static DiskRequest full(String disk, String path) {
        return new DiskRequest(disk, Optional.empty(), StoreType.FILE, path, TargetFormat.QCOW2,
                Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** An incremental backup of {@code disk} since {@code checkpoint} into a qcow2 file. */
    public static DiskRequest incremental(String disk, String checkpoint, String path) {
        return full(disk, path).since(checkpoint);
    }

    /** A copy, incremental since {@code checkpoint}. */
    public DiskRequest since(String checkpoint) {
        return new DiskRequest(disk, Optional.of(checkpoint), store, path, format, exportName, exportBitmap,
                backingTarget);
    }

    /** A copy with another store type. */
    public DiskRequest store(StoreType value) {
        return new DiskRequest(disk, incrementalSince, value, path, format, exportName, exportBitmap,
                backingTarget);
    }

    /** A copy with another format. */
    public DiskRequest format(TargetFormat value) {
        return new DiskRequest(disk, incrementalSince, store, path, value, exportName, exportBitmap,
                backingTarget);
    }

    /** A copy with an explicit export name and bitmap name (pull). */
    public DiskRequest export(String name, String bitmap) {
        return new DiskRequest(disk, incrementalSince, store, path, format, Optional.of(name),
                Optional.of(bitmap), backingTarget);
    }

    /** A copy whose target records {@code previous} as backing file. */
    public DiskRequest backingTarget(String previous, TargetFormat previousFormat) {
        return new DiskRequest(disk, incrementalSince, store, path, format, exportName, exportBitmap,
                Optional.of(new BackingTarget(previous, previousFormat)));
    }

    /** Whether this is an incremental backup. */
    public boolean isIncremental() {
        return incrementalSince.isPresent();
    }

    /** The export name, default the disk name (libvirt §1.4). */
    public String effectiveExportName() {
        return exportName.orElse(disk);
    }

    /** The temporary bitmap name: the export bitmap, default {@code backup-<disk>} (libvirt §1.4, §4.3). */
    public String temporaryBitmap() {
        return exportBitmap.orElse("backup-" + disk);
    }
}
