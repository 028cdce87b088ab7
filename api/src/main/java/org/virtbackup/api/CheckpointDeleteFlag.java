// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.api;

/**
 * Flags of {@link DomainCheckpoint#delete} ({@code virDomainCheckpointDeleteFlags}).
 *
 * @since 0.1
 */
public enum CheckpointDeleteFlag {
    /** Also delete every descendant. */
    CHILDREN(1),
    /** Delete only the metadata; the bitmaps stay in the images. */
    METADATA_ONLY(1 << 1),
    /** Delete the descendants and keep this checkpoint. */
    CHILDREN_ONLY(1 << 2);

    private final int bit;

    CheckpointDeleteFlag(int bit) {
        this.bit = bit;
    }

    /** libvirt's bit value. */
    public int bit() {
        return bit;
    }
}
