// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

/**
 * What the connected QEMU can do, probed from {@code query-qmp-schema} rather than guessed from its version.
 *
 * @param copyBeforeWrite the {@code copy-before-write} blockdev driver exists
 * @param snapshotAccess the {@code snapshot-access} blockdev driver exists
 * @param backupXPerf {@code blockdev-backup} takes {@code x-perf}
 * @param blockExportAdd {@code block-export-add} exists (else only {@code nbd-server-add})
 * @param cbwOnError the copy-before-write driver takes {@code on-cbw-error} and {@code cbw-timeout}
 */
public record QemuCapabilities(boolean copyBeforeWrite, boolean snapshotAccess, boolean backupXPerf,
        boolean blockExportAdd, boolean cbwOnError) {

    /** What QEMU 7.2 on Debian 12 offers (all of the above), for planner tests. */
    public static final QemuCapabilities QEMU_7_2 = new QemuCapabilities(true, true, true, true, true);
}
