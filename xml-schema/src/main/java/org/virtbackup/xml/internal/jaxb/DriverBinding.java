// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal.jaxb;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <driver type>} of a target or scratch image. */
@XmlType(name = "backupDriver")
final class DriverBinding {
    @XmlAttribute
    String type;

    DriverBinding() {
    }

    DriverBinding(String type) {
        this.type = type;
    }
}
