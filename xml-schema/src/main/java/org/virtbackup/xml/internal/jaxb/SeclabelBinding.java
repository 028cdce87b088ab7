// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal.jaxb;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;
import java.util.List;

/** {@code <seclabel model relabel|labelskip><label/></seclabel>}. */
@XmlType(name = "deviceSeclabel", propOrder = {"labels"})
final class SeclabelBinding {
    @XmlAttribute
    String model;
    @XmlAttribute
    String labelskip;
    @XmlAttribute
    String relabel;
    @XmlElement(name = "label")
    List<String> labels;
}
