// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import java.util.Locale;

/**
 * How a pull backup keeps the point in time (qemu-7.2-qmp-notes.md §3).
 */
public enum PullMethod {
    /**
     * Classic fleecing, libvirt 9.0's way: a scratch qcow2 backed by the live disk, filled by a
     * {@code blockdev-backup sync=none} job (variant A). A full scratch fails guest writes.
     */
    FLEECING,
    /**
     * A {@code copy-before-write} filter inserted under the guest device plus {@code snapshot-access}, no job
     * (variants B and C): the scratch has no backing, incremental disks only copy dirty clusters, and
     * {@code on-cbw-error=break-snapshot} keeps guest writes going when the scratch fails (the export breaks).
     */
    CBW;

    /** The driver option spelling: {@code fleecing} or {@code cbw}. */
    public String optionName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses the driver option value.
     *
     * @throws IllegalArgumentException for anything but {@code fleecing} or {@code cbw}
     */
    public static PullMethod parse(String value) {
        for (PullMethod m : values()) {
            if (m.optionName().equals(value)) {
                return m;
            }
        }
        throw new IllegalArgumentException("pull method must be 'fleecing' or 'cbw', not '" + value + "'");
    }
}
