// SPDX-License-Identifier: Apache-2.0
/**
 * The XML layer's stable facade: libvirt's {@code <domainbackup>}, {@code <domaincheckpoint>} and a
 * {@code <domain>} subset, parsed into immutable records ({@link org.virtbackup.xml.model}), validated against
 * virtbackup's own RELAX NG schemas, aligned with a domain's disks, and formatted byte for byte as libvirt
 * prints them.
 *
 * <p>Layer: xml facade. Depends on {@code org.virtbackup.api} (errors, {@code BackupMode}),
 * {@code org.virtbackup.xml.model} and the module's {@code internal} packages. Knows nothing of QMP; every
 * method is pure (no I/O, clock or randomness: times and suffixes are passed in).
 *
 * <h2>Typical use</h2>
 * <pre>{@code
 * DomainDef dom = DomainXml.parse(domainXml);
 * BackupDef def = BackupXml.parse(backupXml);                     // schema + libvirt's parse rules
 * BackupDef aligned = BackupAligner.align(def, dom, "1700000000"); // defaults, generated targets
 * String shown = BackupXml.format(aligned);                       // what virDomainBackupGetXMLDesc prints
 * }</pre>
 *
 * <h2>Errors</h2>
 * Every rejection is a {@link org.virtbackup.api.VirtBackupException} with libvirt's code: {@code XML_DETAIL}
 * for a document that is not well-formed (from libvirt's parser's domain), {@code XML_ERROR} for refused
 * documents (DOCTYPE, too large, too deep, wrong root) and for missing required
 * attributes, {@code XML_INVALID_SCHEMA} for schema violations (with line and column), and the codes libvirt
 * uses for each parse and alignment rule (libvirt-backup-reference.md §1, §2, §3.5).
 */
package org.virtbackup.xml;
