// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.model;

import java.util.Optional;

/**
 * The {@code transport} of a pull backup's {@code <server>} (libvirt-backup-reference.md §1.2).
 * {@link #RDMA} exists only because libvirt's generic host parser knows it; the backup parser refuses it.
 */
public enum Transport {
    /** TCP, the default: {@code name} and (for the QEMU driver) {@code port} are needed. */
    TCP("tcp"),
    /** A unix socket at an absolute path. */
    UNIX("unix"),
    /** A pre-opened listening socket registered under an fd group (libvirt 11.3.0+). */
    FD("fd"),
    /** Parsed, then refused: "transport rdma is not supported for &lt;server&gt;". */
    RDMA("rdma");

    private final String xmlValue;

    Transport(String xmlValue) {
        this.xmlValue = xmlValue;
    }

    /** The attribute value as libvirt spells it. */
    public String xmlValue() {
        return xmlValue;
    }

    /** The constant for an attribute value, if it is one. */
    public static Optional<Transport> fromXml(String value) {
        for (Transport t : values()) {
            if (t.xmlValue.equals(value)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
