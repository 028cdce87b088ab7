// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal.jaxb;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;

/** {@code <server>}, attributes in libvirt's output order: transport, tls, name, port, socket, fdgroup. */
@XmlType(name = "backupServer")
final class ServerBinding {
    @XmlAttribute
    String transport;
    @XmlAttribute
    String tls;
    @XmlAttribute
    String name;
    @XmlAttribute
    String port;
    @XmlAttribute
    String socket;
    @XmlAttribute
    String fdgroup;
}
