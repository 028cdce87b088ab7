// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.model;

import java.util.Optional;

/**
 * Storage type of a backup target or scratch image: the disk's {@code type} attribute, which decides between
 * {@code file=} and {@code dev=} (libvirt-backup-reference.md §1.3).
 */
public enum StoreType {
    /** A regular file, {@code <target file=...>}; libvirt creates and (on failure) deletes it. */
    FILE("file"),
    /** A block device, {@code <target dev=...>}; it must exist. */
    BLOCK("block");

    private final String xmlValue;

    StoreType(String xmlValue) {
        this.xmlValue = xmlValue;
    }

    /** The attribute value as libvirt spells it. */
    public String xmlValue() {
        return xmlValue;
    }

    /** The constant for an attribute value, if it is one. */
    public static Optional<StoreType> fromXml(String value) {
        for (StoreType v : values()) {
            if (v.xmlValue.equals(value)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
