// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.model;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One {@code <disk name checkpoint bitmap size>} of a {@code <domaincheckpoint>} (libvirt-backup-reference.md
 * §2.1).
 *
 * @param name target name ({@code vda}); before alignment may also be an absolute source path
 * @param checkpoint {@code bitmap} (default) or {@code no}
 * @param bitmap bitmap name; alignment defaults it to the checkpoint name
 * @param size bytes dirtied since the checkpoint, printed only with the size flag
 */
public record CheckpointDiskDef(String name, CheckpointType checkpoint, Optional<String> bitmap, OptionalLong size) {
    public CheckpointDiskDef {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(bitmap, "bitmap");
        Objects.requireNonNull(size, "size");
    }

    /** A disk with a bitmap named {@code bitmapName}. */
    public static CheckpointDiskDef bitmap(String name, String bitmapName) {
        return new CheckpointDiskDef(name, CheckpointType.BITMAP, Optional.of(bitmapName), OptionalLong.empty());
    }

    /** A disk without a bitmap. */
    public static CheckpointDiskDef none(String name) {
        return new CheckpointDiskDef(name, CheckpointType.NO, Optional.empty(), OptionalLong.empty());
    }

    /** A copy with another name. */
    public CheckpointDiskDef withName(String newName) {
        return new CheckpointDiskDef(newName, checkpoint, bitmap, size);
    }

    /** A copy with another bitmap name. */
    public CheckpointDiskDef withBitmap(String newBitmap) {
        return new CheckpointDiskDef(name, checkpoint, Optional.of(newBitmap), size);
    }

    /** A copy with a computed size. */
    public CheckpointDiskDef withSize(long newSize) {
        return new CheckpointDiskDef(name, checkpoint, bitmap, OptionalLong.of(newSize));
    }
}
