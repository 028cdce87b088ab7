// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.api;

/**
 * Flags of {@link DomainCheckpoint#getXmlDesc} ({@code virDomainCheckpointXMLFlags}).
 *
 * @since 0.1
 */
public enum CheckpointXmlFlag {
    /** Include security-sensitive parts of the embedded domain. */
    SECURE(1),
    /** Leave out the embedded {@code <domain>}. */
    NO_DOMAIN(1 << 1),
    /** Add per-disk {@code size}: bytes changed since the checkpoint. */
    SIZE(1 << 2);

    private final int bit;

    CheckpointXmlFlag(int bit) {
        this.bit = bit;
    }

    /** libvirt's bit value. */
    public int bit() {
        return bit;
    }
}
