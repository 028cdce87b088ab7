// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.api;

/**
 * Flags of {@link Domain#checkpointCreateXml} ({@code virDomainCheckpointCreateFlags}).
 *
 * @since 0.1
 */
public enum CheckpointCreateFlag {
    /** Restore or alter metadata only; the bitmaps are not touched. */
    REDEFINE(1),
    /** Quiesce guest file systems through the guest agent; refused unless an agent is configured. */
    QUIESCE(1 << 1),
    /** With {@link #REDEFINE}: check that the bitmaps exist and are usable. */
    REDEFINE_VALIDATE(1 << 2);

    private final int bit;

    CheckpointCreateFlag(int bit) {
        this.bit = bit;
    }

    /** libvirt's bit value. */
    public int bit() {
        return bit;
    }
}
