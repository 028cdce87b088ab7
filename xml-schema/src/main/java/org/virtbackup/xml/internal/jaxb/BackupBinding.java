// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal.jaxb;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlElementWrapper;
import jakarta.xml.bind.annotation.XmlRootElement;
import jakarta.xml.bind.annotation.XmlType;
import java.util.List;

/** {@code <domainbackup mode>}: incremental, server, disks (the private data is captured verbatim). */
@XmlRootElement(name = "domainbackup")
@XmlType(name = "domainbackup", propOrder = {"incremental", "server", "disks"})
final class BackupBinding {
    @XmlAttribute
    String mode;
    @XmlElement
    String incremental;
    @XmlElement
    ServerBinding server;
    @XmlElementWrapper(name = "disks")
    @XmlElement(name = "disk")
    List<BackupDiskBinding> disks;
}
