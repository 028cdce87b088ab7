// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal.jaxb;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlElementWrapper;
import jakarta.xml.bind.annotation.XmlRootElement;
import jakarta.xml.bind.annotation.XmlType;
import java.util.List;

/**
 * {@code <domaincheckpoint>} in {@code virDomainCheckpointDefFormat}'s order: name, description, parent,
 * creationTime, disks (the embedded domain is captured and re-emitted verbatim).
 */
@XmlRootElement(name = "domaincheckpoint")
@XmlType(name = "domaincheckpoint", propOrder = {"name", "description", "parent", "creationTime", "disks"})
final class CheckpointBinding {
    @XmlElement
    String name;
    @XmlElement
    String description;
    @XmlElement
    Parent parent;
    @XmlElement
    String creationTime;
    @XmlElementWrapper(name = "disks")
    @XmlElement(name = "disk")
    List<Disk> disks;

    /** {@code <parent><name/></parent>}. */
    @XmlType(name = "checkpointParent")
    static final class Parent {
        @XmlElement
        String name;
    }

    /** {@code <disk name checkpoint bitmap size/>}. */
    @XmlType(name = "checkpointDisk")
    static final class Disk {
        @XmlAttribute
        String name;
        @XmlAttribute
        String checkpoint;
        @XmlAttribute
        String bitmap;
        @XmlAttribute
        String size;
    }
}
