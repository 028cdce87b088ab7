// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.api;

/**
 * Push (QEMU writes the targets) or pull (QEMU exports a point-in-time view over NBD).
 *
 * @since 0.1
 */
public enum BackupMode {
    /** QEMU copies into target images. */
    PUSH,
    /** QEMU exports the point-in-time view; a third party reads it. */
    PULL
}
