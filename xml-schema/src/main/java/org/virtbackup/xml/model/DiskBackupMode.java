// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.model;

import java.util.Optional;

/**
 * Per-disk {@code backupmode} (libvirt-backup-reference.md §1.3, resolved by alignment §1.4 step 5).
 */
public enum DiskBackupMode {
    /** Copy everything. */
    FULL("full"),
    /** Copy what changed since the disk's {@code incremental} checkpoint. */
    INCREMENTAL("incremental");

    private final String xmlValue;

    DiskBackupMode(String xmlValue) {
        this.xmlValue = xmlValue;
    }

    /** The attribute value as libvirt spells it. */
    public String xmlValue() {
        return xmlValue;
    }

    /** The constant for an attribute value, if it is one. */
    public static Optional<DiskBackupMode> fromXml(String value) {
        for (DiskBackupMode v : values()) {
            if (v.xmlValue.equals(value)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
