// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.api;

/**
 * Flags of {@link Domain#listAllCheckpoints} and {@link DomainCheckpoint#listAllChildren}
 * ({@code virDomainCheckpointListFlags}).
 *
 * @since 0.1
 */
public enum CheckpointListFlag {
    /** {@code listAllCheckpoints}: only checkpoints without a parent. */
    ROOTS(1),
    /** {@code listAllChildren}: all descendants, not only direct children (same bit as ROOTS in libvirt). */
    DESCENDANTS(1),
    /** Parents before children. */
    TOPOLOGICAL(1 << 1),
    /** Only checkpoints without children. */
    LEAVES(1 << 2),
    /** Only checkpoints with children. */
    NO_LEAVES(1 << 3);

    private final int bit;

    CheckpointListFlag(int bit) {
        this.bit = bit;
    }

    /** libvirt's bit value. */
    public int bit() {
        return bit;
    }
}
