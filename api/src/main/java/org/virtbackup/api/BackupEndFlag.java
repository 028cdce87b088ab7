// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.api;

/**
 * Flags of {@link Domain#backupEnd}. libvirt has no {@code BackupEnd}; these are virtbackup's own.
 *
 * @since 0.1
 */
public enum BackupEndFlag {
    /**
     * Delete the checkpoint that this backup job created, so that the next incremental backup still covers
     * what a consumer failed to read.
     */
    DISCARD_CHECKPOINT
}
