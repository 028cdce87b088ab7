// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.launch;

import java.util.Set;

/**
 * A persistent dirty bitmap stored in a qcow2 image, as {@code qemu-img info} lists it.
 *
 * @param name the bitmap name (a checkpoint name, for virtbackup's bitmaps)
 * @param granularity bytes per bit, 65536 by default
 * @param flags {@code "auto"} (recording) and/or {@code "in-use"} (a QEMU has it open, or crashed with it
 *     open: then it is inconsistent, qemu-7.2-qmp-notes.md §7); unmodifiable
 */
public record BitmapInfo(String name, long granularity, Set<String> flags) {
    public BitmapInfo {
        flags = Set.copyOf(flags);
    }

    /** The bitmap records writes ({@code auto} flag). */
    public boolean recording() {
        return flags.contains("auto");
    }

    /** The {@code in-use} flag is set. */
    public boolean inUse() {
        return flags.contains("in-use");
    }
}
