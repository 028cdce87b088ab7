// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.xml.model.DiskDevice;
import org.virtbackup.xml.model.DiskType;
import org.virtbackup.xml.model.DomainDef;
import org.virtbackup.xml.model.DomainDiskDef;
import org.virtbackup.xml.model.XmlNode;

/** Checkpoint rejections (libvirt-backup-reference.md §2.1-2.4) and checkpoint names. */
class CheckpointRejectionTest {
    static Stream<Arguments> createCases() {
        return Stream.of(
                Arguments.of(disks("<disk name='vdz'/>"), ErrorCode.CONFIG_UNSUPPORTED, "no disk named 'vdz'"),
                Arguments.of(disks("<disk name='/img/none.qcow2'/>"), ErrorCode.CONFIG_UNSUPPORTED,
                        "no disk named '/img/none.qcow2'"),
                Arguments.of(disks("<disk name='vda'/><disk name='/img/vda.qcow2'/>"), ErrorCode.CONFIG_UNSUPPORTED,
                        "disk '/img/vda.qcow2' specified twice"),
                Arguments.of(disks("<disk name='hdc'/>"), ErrorCode.CONFIG_UNSUPPORTED,
                        "disk 'hdc' is empty or readonly"),
                Arguments.of(disks("<disk name='vdb' checkpoint='bitmap'/>"), ErrorCode.CONFIG_UNSUPPORTED,
                        "disk 'vdb' is empty or readonly"),
                Arguments.of(disks("<disk name='vda'/><disk name='vdb' checkpoint='no'/>"
                        + "<disk name='hdc' checkpoint='no'/><disk name='vdd'/><disk name='vde'/>"),
                        ErrorCode.CONFIG_UNSUPPORTED, "too many disk checkpoint requests for domain"),
                Arguments.of(disks("<disk name='vda' bitmap='other'/>"), ErrorCode.CONFIG_UNSUPPORTED,
                        "bitmap for disk 'vda' must match checkpoint name 'cp1'"),
                Arguments.of(disks("<disk name='vdr'/>"), ErrorCode.CONFIG_UNSUPPORTED,
                        "checkpoint for disk vdr unsupported for storage type raw"),
                Arguments.of("<domaincheckpoint><name>a b</name></domaincheckpoint>", ErrorCode.XML_INVALID_SCHEMA,
                        null),
                Arguments.of("<domaincheckpoint><disks><disk name='vda' checkpoint='no' bitmap='x'/></disks>"
                        + "</domaincheckpoint>", ErrorCode.XML_INVALID_SCHEMA, null),
                Arguments.of("<domaincheckpoint><disks/></domaincheckpoint>", ErrorCode.XML_INVALID_SCHEMA, null));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("createCases")
    void createRejected(String xml, ErrorCode code, String message) {
        VirtBackupException e = assertThrows(VirtBackupException.class, () -> CheckpointAligner.align(
                CheckpointXml.postParse(CheckpointXml.parse(xml), 100).withName("cp1"), domain()));
        assertEquals(code, e.code(), e.getMessage());
        if (message != null) {
            assertEquals(message, e.getMessage());
        }
    }

    @Test
    void domainWithoutDisks() {
        DomainDef empty = new DomainDef("d", Optional.empty(), List.of(), new XmlNode("domain", List.of(), List.of(), ""));
        VirtBackupException e = assertThrows(VirtBackupException.class, () -> CheckpointAligner.align(
                CheckpointXml.postParse(CheckpointXml.parse("<domaincheckpoint/>"), 7), empty));
        assertEquals(ErrorCode.CONFIG_UNSUPPORTED, e.code());
        assertEquals(ErrorDomain.DOMAIN_CHECKPOINT, e.domain());
        assertEquals("domain must have at least one disk to perform checkpoints", e.getMessage());
    }

    @Test
    void redefineNeedsNameAndCreationTime() {
        VirtBackupException noName = assertThrows(VirtBackupException.class,
                () -> CheckpointXml.parseRedefine("<domaincheckpoint><creationTime>5</creationTime></domaincheckpoint>"));
        assertEquals(ErrorCode.XML_ERROR, noName.code());
        assertEquals("a redefined checkpoint must have a name", noName.getMessage());
        VirtBackupException noTime = assertThrows(VirtBackupException.class,
                () -> CheckpointXml.parseRedefine("<domaincheckpoint><name>c</name></domaincheckpoint>"));
        assertEquals(ErrorCode.INTERNAL_ERROR, noTime.code());
        assertEquals("missing creationTime from existing checkpoint", noTime.getMessage());
    }

    @Test
    void createIgnoresReadOnlyElements() {
        var def = CheckpointXml.parse("<domaincheckpoint><name>c</name><creationTime>5</creationTime>"
                + "<parent><name>p</name></parent><domain><name>x</name></domain></domaincheckpoint>");
        assertTrue(def.creationTime().isEmpty());
        assertTrue(def.parent().isEmpty());
        assertTrue(def.domain().isEmpty());
        var named = CheckpointXml.postParse(CheckpointXml.parse("<domaincheckpoint/>"), 1700000000L);
        assertEquals(Optional.of("1700000000"), named.name());
    }

    @Test
    void formatWithoutSecureDropsGraphicsPassword() {
        String xml = Golden.read(Golden.RESOURCES.resolve("checkpointxml2xml/in/redefine.xml"));
        var def = CheckpointAligner.alignRedefine(CheckpointXml.parseRedefine(xml));
        assertTrue(CheckpointXml.format(def, true, false, false).contains("passwd='s3cr&amp;t'"));
        assertFalse(CheckpointXml.format(def, false, false, false).contains("passwd"));
        assertFalse(CheckpointXml.format(def, true, true, false).contains("<domain "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", ".hidden", "a\nb", "a b", "-ok-but-\u00e9", "../escape"})
    void invalidNames(String name) {
        assertFalse(CheckpointNames.isValid(name));
        VirtBackupException e = assertThrows(VirtBackupException.class, () -> CheckpointNames.validate(name));
        assertEquals(ErrorCode.INVALID_ARG, e.code());
        assertTrue(e.getMessage().startsWith("invalid checkpoint name '"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1525889631", "cp-1.2", "_x", "A.b.c", "-dash"})
    void validNames(String name) {
        assertEquals(name, CheckpointNames.validate(name));
    }

    private static String disks(String disks) {
        return "<domaincheckpoint><disks>" + disks + "</disks></domaincheckpoint>";
    }

    /** vda: qcow2; vdb: read-only qcow2; hdc: empty CD-ROM; vdr: raw file. */
    private static DomainDef domain() {
        return new DomainDef("d", Optional.empty(), List.of(
                DomainDiskDef.qcow2File("vda", "/img/vda.qcow2"),
                new DomainDiskDef(DiskType.FILE, DiskDevice.DISK, Optional.of("qcow2"), Optional.of("/img/vdb.qcow2"),
                        "vdb", Optional.empty(), true, false),
                new DomainDiskDef(DiskType.FILE, DiskDevice.CDROM, Optional.empty(), Optional.empty(), "hdc",
                        Optional.empty(), true, false),
                new DomainDiskDef(DiskType.FILE, DiskDevice.DISK, Optional.of("raw"), Optional.of("/img/vdr.raw"),
                        "vdr", Optional.empty(), false, false)),
                new XmlNode("domain", List.of(), List.of(), ""));
    }
}
