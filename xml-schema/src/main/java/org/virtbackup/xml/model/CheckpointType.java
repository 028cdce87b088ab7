// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.model;

import java.util.Optional;

/**
 * A checkpoint disk's {@code checkpoint} attribute (libvirt-backup-reference.md §2.1); absent means {@link #BITMAP}.
 */
public enum CheckpointType {
    /** No bitmap for this disk. */
    NO("no"),
    /** A persistent dirty bitmap named after the checkpoint. */
    BITMAP("bitmap");

    private final String xmlValue;

    CheckpointType(String xmlValue) {
        this.xmlValue = xmlValue;
    }

    /** The attribute value as libvirt spells it. */
    public String xmlValue() {
        return xmlValue;
    }

    /** The constant for an attribute value, if it is one. */
    public static Optional<CheckpointType> fromXml(String value) {
        for (CheckpointType v : values()) {
            if (v.xmlValue.equals(value)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
