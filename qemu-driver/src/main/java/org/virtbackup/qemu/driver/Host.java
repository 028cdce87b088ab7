// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

/** What serves a domain's disks to the driver. */
enum Host {
    /** The running VM's QEMU: {@code qmp+unix}. */
    QEMU,
    /**
     * A {@code qemu-storage-daemon} on a stopped VM's images: {@code qsd}. It has block nodes but no guest and
     * no devices: {@code query-block} is empty, and {@code query-status}, {@code stop}/{@code cont} and
     * {@code set-action} do not exist (QEMU 7.2, CommandNotFound).
     */
    STORAGE_DAEMON;

    /** Whether a guest runs in it (pausing it, or its shutdown, mean something). */
    boolean hasGuest() {
        return this == QEMU;
    }
}
