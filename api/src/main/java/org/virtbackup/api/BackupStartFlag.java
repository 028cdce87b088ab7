// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.api;

/**
 * Flags of {@link Domain#backupStart}.
 *
 * @since 0.1
 */
public enum BackupStartFlag {
    /**
     * Targets and scratch images already exist, with the right format and size; they are attached as they are,
     * and never created or deleted ({@code VIR_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL}).
     */
    REUSE_EXTERNAL(1),
    /**
     * A guest that shuts down during the job does not take the job with it: QEMU pauses the guest instead of
     * exiting, the copy and the exports go on, and QEMU is stopped once the job has ended, as the guest asked
     * ({@code VIR_DOMAIN_BACKUP_BEGIN_PRESERVE_SHUTDOWN_DOMAIN}, libvirt 11.10). Without it a guest shutdown
     * ends QEMU and fails the job, whose checkpoint is then discarded.
     */
    PRESERVE_ON_GUEST_SHUTDOWN(1 << 1),
    /**
     * Beyond libvirt: in an incremental backup, a disk whose checkpoint chain cannot be used is backed up in
     * full instead of failing the job; the job info and the backup XML say which disk and why.
     */
    INCREMENTAL_FALLBACK_FULL(1 << 16);

    private final int bit;

    BackupStartFlag(int bit) {
        this.bit = bit;
    }

    /** libvirt's bit value (flags beyond libvirt use bits libvirt does not). */
    public int bit() {
        return bit;
    }
}
