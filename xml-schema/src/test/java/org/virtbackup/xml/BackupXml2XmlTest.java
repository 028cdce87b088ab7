// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.virtbackup.xml.model.BackupDef;
import org.virtbackup.xml.model.BackupDiskDef;
import org.virtbackup.xml.model.DomainDef;
import org.virtbackup.xml.model.DomainDiskDef;
import org.virtbackup.xml.model.XmlNode;

/**
 * libvirt's genericxml2xmltest for backups: parse {@code in/X.xml} (internal form when the name says
 * "internal"), align against a fake domain with one qcow2 disk {@code /fake/<name>.qcow2} per listed disk plus
 * {@code vdextradisk}, suffix {@code SUFFIX}, format, and compare with {@code out/X.xml} byte for byte.
 * Unlike libvirt's test, alignment here includes the begin-time defaults (qcow2 driver, export names), so the
 * outputs show what {@code backupGetXmlDesc} prints.
 */
class BackupXml2XmlTest {
    private static final Path DIR = Golden.RESOURCES.resolve("backupxml2xml");

    static List<String> cases() {
        return Golden.xmlFiles(DIR.resolve("in"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void roundTrip(String file) {
        boolean internal = file.contains("internal");
        String in = Golden.read(DIR.resolve("in").resolve(file));
        BackupDef def = internal ? BackupXml.parseInternal(in) : BackupXml.parse(in);
        DomainDef domain = fakeDomain(def);
        BackupDef aligned = BackupAligner.align(def, domain, "SUFFIX");
        String out = internal ? BackupXml.formatInternal(aligned) : BackupXml.format(aligned);
        Golden.check(DIR.resolve("out").resolve(file), out);

        // the output is a fixed point: it parses back to a definition that formats identically
        BackupDef again = internal ? BackupXml.parseInternal(out) : BackupXml.parse(out);
        assertEquals(out, internal ? BackupXml.formatInternal(again) : BackupXml.format(again));
        if (internal) {
            assertFalse(BackupXml.format(again).contains("state="), "public form must not show state");
            assertFalse(BackupXml.format(again).contains("privateData"), "public form must not show privateData");
        }
    }

    /** One qcow2 file disk per listed backup disk, plus vdextradisk, as libvirt's test builds it. */
    static DomainDef fakeDomain(BackupDef def) {
        List<DomainDiskDef> disks = new ArrayList<>();
        for (BackupDiskDef d : def.disks()) {
            disks.add(DomainDiskDef.qcow2File(d.name(), "/fake/" + d.name() + ".qcow2"));
        }
        disks.add(DomainDiskDef.qcow2File("vdextradisk", "/fake/vdextradisk.qcow2"));
        return new DomainDef("fake", java.util.Optional.empty(), disks,
                new XmlNode("domain", List.of(), List.of(), ""));
    }
}
