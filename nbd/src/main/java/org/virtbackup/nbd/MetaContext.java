// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.nbd;

import java.util.Objects;

/**
 * Names and status bits of the NBD metadata contexts this module asks for (the NBD protocol's
 * {@code base:allocation}, and QEMU's {@code qemu:dirty-bitmap:NAME}).
 *
 * @since 0.1
 */
public final class MetaContext {
    /** Allocation status: holes and zeroes. */
    public static final String BASE_ALLOCATION = "base:allocation";
    /** {@code base:allocation}: the run is not allocated (reads as zero unless {@link #STATE_ZERO} is clear). */
    public static final int STATE_HOLE = 1;
    /** {@code base:allocation}: the run reads as zeroes. */
    public static final int STATE_ZERO = 2;
    /** {@code qemu:dirty-bitmap:*}: the run is dirty in the bitmap. */
    public static final int STATE_DIRTY = 1;

    private static final String DIRTY_BITMAP_PREFIX = "qemu:dirty-bitmap:";

    private MetaContext() {
    }

    /** {@code qemu:dirty-bitmap:NAME}, the context QEMU serves for the bitmap an export was given. */
    public static String dirtyBitmap(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty bitmap name");
        }
        return DIRTY_BITMAP_PREFIX + name;
    }
}
