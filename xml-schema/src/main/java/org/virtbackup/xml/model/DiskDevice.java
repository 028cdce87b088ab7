// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.model;

import java.util.Optional;

/**
 * A domain disk's {@code device} attribute; absent means {@link #DISK}.
 */
public enum DiskDevice {
    /** A hard disk. */
    DISK("disk"),
    /** A CD-ROM; libvirt treats its media as read-only. */
    CDROM("cdrom"),
    /** A floppy drive. */
    FLOPPY("floppy"),
    /** A SCSI LUN passed through. */
    LUN("lun");

    private final String xmlValue;

    DiskDevice(String xmlValue) {
        this.xmlValue = xmlValue;
    }

    /** The attribute value as libvirt spells it. */
    public String xmlValue() {
        return xmlValue;
    }

    /** The constant for an attribute value, if it is one. */
    public static Optional<DiskDevice> fromXml(String value) {
        for (DiskDevice v : values()) {
            if (v.xmlValue.equals(value)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
