// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.api;

/**
 * The state of one checkpoint's bitmap on one disk, as {@link Domain#checkpointHealth()} finds it by comparing
 * the checkpoint metadata with the bitmaps QEMU reports. Beyond libvirt, which only checks lazily
 * ({@code qemuBlockBitmapChainIsValid} at backup start and {@code REDEFINE_VALIDATE}).
 *
 * @since 0.1
 */
public enum CheckpointDiskState {
    /** The bitmap chain is usable for an incremental backup. */
    OK("ok"),
    /** No layer of the disk has the bitmap, or the disk is no longer in the domain. */
    MISSING("missing"),
    /** QEMU flags a copy of the bitmap inconsistent: QEMU was not shut down cleanly. */
    INCONSISTENT("inconsistent"),
    /** A copy of the bitmap exists but does not record guest writes (disabled). */
    NOT_RECORDING("not-recording"),
    /** Copies exist, but not from the top layer down without gaps, or one is not persistent. */
    BROKEN_CHAIN("broken-chain");

    private final String label;

    CheckpointDiskState(String label) {
        this.label = label;
    }

    /** The lowercase label used in reports, e.g. {@code not-recording}. */
    public String label() {
        return label;
    }
}
