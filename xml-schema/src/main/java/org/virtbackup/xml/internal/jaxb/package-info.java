// SPDX-License-Identifier: Apache-2.0
/**
 * JAXB bindings of {@code <domainbackup>} and {@code <domaincheckpoint>} and their mapping to and from the
 * model records, where libvirt's parse rules and format rules live.
 *
 * <p>Layer: xml internal. Depends on {@code org.virtbackup.xml.internal}, {@code org.virtbackup.xml.model},
 * {@code org.virtbackup.api} and JAXB. Binding classes keep every attribute as a string so that values are
 * checked here, with libvirt's messages, rather than silently dropped by JAXB; field order is libvirt's
 * attribute order, {@code propOrder} its element order (libvirt-backup-reference.md §1.2, §1.5, §2.3).
 * Every binding has an explicit {@code @XmlType} name because two {@code disk} classes share a context
 * (java-dependencies.md §4.1).
 */
@XmlAccessorType(XmlAccessType.FIELD)
package org.virtbackup.xml.internal.jaxb;

import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
