// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

/** The {@code sync} modes of {@code blockdev-backup} that virtbackup uses. */
public enum Sync {
    /** Copy the whole disk (push full). */
    FULL("full"),
    /** Copy the clusters dirty in the given bitmap (push incremental). */
    INCREMENTAL("incremental"),
    /** Copy nothing but old data before the guest overwrites it (pull fleecing; never completes). */
    NONE("none");

    private final String qmpName;

    Sync(String qmpName) {
        this.qmpName = qmpName;
    }

    /** The value as QEMU spells it. */
    public String qmpName() {
        return qmpName;
    }
}
