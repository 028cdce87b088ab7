// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal.jaxb;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;
import java.util.List;

/** {@code <target>} or {@code <scratch>}: path, then seclabels and encryption ({@code virDomainDiskSourceFormat}). */
@XmlType(name = "backupStore", propOrder = {"seclabels", "encryption"})
final class StoreBinding {
    @XmlAttribute
    String file;
    @XmlAttribute
    String dev;
    @XmlElement(name = "seclabel")
    List<SeclabelBinding> seclabels;
    @XmlElement
    EncryptionBinding encryption;
}
