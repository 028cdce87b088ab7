// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;

/**
 * libvirt's virschematest, applied to our fixtures: every golden input and output is validated against our
 * schema and against libvirt's installed one; files named {@code *-invalid.xml} must fail both, the others must
 * pass both.
 */
class SchemaCrossCheckTest {
    /**
     * Documents only newer libvirt schemas accept, while Debian 12 ships libvirt 9.0's: plain push selection
     * ({@code <disk name='vda' backup='yes'/>} without type, the formatbackup.rst example; schema change
     * "Allow to plainly select a disk for backup", reference §1.6) and {@code transport='fd'} (11.3.0). Against a
     * 9.0 schema they must fail (so this list cannot go stale unnoticed); against a newer one, pass.
     */
    static final Set<String> NEEDS_NEWER_LIBVIRT = Set.of(
            "backupxml2xml/in/backup-push-doc-example.xml",
            "backupxml2xml/in/backup-push-plain-select.xml",
            "backupxml2xml/in/backup-pull-fd.xml",
            "backupxml2xml/out/backup-pull-fd.xml");

    static Stream<Arguments> files() {
        return Stream.of("backupxml2xml", "checkpointxml2xml").flatMap(set -> Stream.of("in", "out")
                .flatMap(dir -> Golden.xmlFiles(Golden.RESOURCES.resolve(set).resolve(dir)).stream()
                        .map(f -> Arguments.of(set + "/" + dir + "/" + f))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void ourSchema(String file) {
        String xml = Golden.read(Golden.RESOURCES.resolve(file));
        XmlKind kind = file.startsWith("backup") ? XmlKind.BACKUP : XmlKind.CHECKPOINT;
        if (file.endsWith("-invalid.xml")) {
            VirtBackupException e = assertThrows(VirtBackupException.class, () -> XmlValidator.validate(kind, xml));
            assertEquals(ErrorCode.XML_INVALID_SCHEMA, e.code(), e.getMessage());
        } else {
            XmlValidator.validate(kind, xml);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void libvirtSchema(String file) {
        LibvirtSchemas.assumeInstalled();
        String xml = Golden.read(Golden.RESOURCES.resolve(file));
        String rng = file.startsWith("backup") ? "domainbackup.rng" : "domaincheckpoint.rng";
        String violation = LibvirtSchemas.violation(rng, xml);
        boolean mustFail = file.endsWith("-invalid.xml")
                || NEEDS_NEWER_LIBVIRT.contains(file) && !LibvirtSchemas.isNewerThan9();
        if (mustFail) {
            assertNotNull(violation, file + " unexpectedly valid against libvirt's " + rng);
        } else {
            assertNull(violation, file + " invalid against libvirt's " + rng);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("domains")
    void domainFixtures(Path file) {
        String xml = Golden.read(file);
        XmlValidator.validate(XmlKind.DOMAIN, xml);
        LibvirtSchemas.assumeInstalled();
        assertNull(LibvirtSchemas.violation("domain.rng", xml), file + " invalid against libvirt's domain.rng");
    }

    static Stream<Path> domains() {
        Path dir = Golden.RESOURCES.resolve("domain");
        return Golden.xmlFiles(dir).stream().map(dir::resolve);
    }
}
