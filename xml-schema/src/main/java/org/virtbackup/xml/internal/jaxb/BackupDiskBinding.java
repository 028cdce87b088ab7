// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal.jaxb;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;

/** A backup {@code <disk>}; attribute order is {@code virDomainBackupDiskDefFormat}'s. */
@XmlType(name = "backupDisk", propOrder = {"driver", "target", "scratch"})
final class BackupDiskBinding {
    @XmlAttribute
    String name;
    @XmlAttribute
    String backup;
    @XmlAttribute
    String type;
    @XmlAttribute
    String backupmode;
    @XmlAttribute
    String incremental;
    @XmlAttribute
    String exportname;
    @XmlAttribute
    String exportbitmap;
    @XmlAttribute
    String index;
    @XmlAttribute
    String state;
    @XmlElement
    DriverBinding driver;
    @XmlElement
    StoreBinding target;
    @XmlElement
    StoreBinding scratch;
}
