// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * A disk a running pull backup exports, read from the aligned {@code <domainbackup>} that
 * {@code Domain.backupGetXmlDesc} returns: {@code <disk name='vda' backup='yes' exportname='vda'
 * exportbitmap='backup-vda'>}.
 *
 * @param name the disk's name
 * @param exportName the NBD export's name
 * @param bitmap the bitmap of the export's {@code qemu:dirty-bitmap:} context; empty for a full
 */
record ExportedDisk(String name, String exportName, Optional<String> bitmap) {

    /** The exported disks of {@code alignedXml}, in document order. */
    static List<ExportedDisk> parse(String alignedXml) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            NodeList disks = f.newDocumentBuilder()
                    .parse(new ByteArrayInputStream(alignedXml.getBytes(StandardCharsets.UTF_8)))
                    .getElementsByTagName("disk");
            List<ExportedDisk> out = new ArrayList<>();
            for (int i = 0; i < disks.getLength(); i++) {
                Element d = (Element) disks.item(i);
                if (!"no".equals(d.getAttribute("backup"))) {
                    String export = d.getAttribute("exportname");
                    out.add(new ExportedDisk(d.getAttribute("name"), export.isEmpty() ? d.getAttribute("name")
                            : export, Optional.of(d.getAttribute("exportbitmap")).filter(b -> !b.isEmpty())));
                }
            }
            return List.copyOf(out);
        } catch (Exception e) {
            throw new VirtBackupException(ErrorCode.XML_ERROR, ErrorDomain.STORAGE,
                    "cannot read the running backup's disks from its XML: " + e.getMessage(), e);
        }
    }
}
