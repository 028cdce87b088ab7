// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.model;

import java.util.Optional;

/**
 * A domain disk's {@code type} attribute; absent means {@link #FILE}, as in libvirt.
 */
public enum DiskType {
    /** {@code <source file=...>}. */
    FILE("file"),
    /** {@code <source dev=...>}. */
    BLOCK("block"),
    /** {@code <source dir=...>}. */
    DIR("dir"),
    /** {@code <source protocol=... name=...>}. */
    NETWORK("network"),
    /** {@code <source pool=... volume=...>}. */
    VOLUME("volume"),
    /** An NVMe controller namespace. */
    NVME("nvme"),
    /** A vhost-user socket. */
    VHOSTUSER("vhostuser");

    private final String xmlValue;

    DiskType(String xmlValue) {
        this.xmlValue = xmlValue;
    }

    /** The attribute value as libvirt spells it. */
    public String xmlValue() {
        return xmlValue;
    }

    /** The constant for an attribute value, if it is one. */
    public static Optional<DiskType> fromXml(String value) {
        for (DiskType v : values()) {
            if (v.xmlValue.equals(value)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
