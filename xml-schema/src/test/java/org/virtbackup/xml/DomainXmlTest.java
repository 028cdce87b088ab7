// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.xml.model.CheckpointDef;
import org.virtbackup.xml.model.EmbeddedDomain;
import org.virtbackup.xml.model.DiskDevice;
import org.virtbackup.xml.model.DiskType;
import org.virtbackup.xml.model.DomainDef;
import org.virtbackup.xml.model.DomainDiskDef;

/** The domain subset, read from a full virsh-dumpxml-style domain. */
class DomainXmlTest {
    private static final String FULL = Golden.read(Golden.RESOURCES.resolve("domain/full-domain.xml"));

    @Test
    void readsTheSubsetOfAFullDomain() {
        DomainDef dom = DomainXml.parse(FULL);
        assertEquals("vm1", dom.name());
        assertEquals(Optional.of("c7a5fdbd-edaf-9455-926a-d65c16db1809"), dom.uuid());
        assertEquals(List.of(
                new DomainDiskDef(DiskType.FILE, DiskDevice.DISK, Optional.of("qcow2"),
                        Optional.of("/var/lib/libvirt/images/vm1.qcow2"), "vda", Optional.of("virtio"),
                        Optional.of("virtio-disk0"), false, true),
                new DomainDiskDef(DiskType.BLOCK, DiskDevice.DISK, Optional.of("raw"),
                        Optional.of("/dev/vg0/vm1-data"), "vdb", Optional.of("virtio"), Optional.of("ua-data"),
                        false, false),
                new DomainDiskDef(DiskType.NETWORK, DiskDevice.DISK, Optional.of("raw"), Optional.of("pool/image"),
                        "vdc", Optional.of("virtio"), Optional.empty(), false, false),
                new DomainDiskDef(DiskType.FILE, DiskDevice.CDROM, Optional.of("raw"), Optional.empty(), "sda",
                        Optional.of("sata"), Optional.of("sata0-0-0"), true, false)), dom.disks());
        assertTrue(dom.disks().get(3).isEmpty());
        assertEquals(Optional.of("vda"), dom.diskByName("/var/lib/libvirt/images/vm1.qcow2").map(DomainDiskDef::targetDev));
    }

    @Test
    void backupOfTheFullDomainSelectsWritableDisksWithMedia() {
        DomainDef dom = DomainXml.parse(FULL);
        // vdb is a block device and vdc is rbd: libvirt refuses to invent target names for them
        VirtBackupException e = assertThrows(VirtBackupException.class,
                () -> BackupAligner.align(BackupXml.parse("<domainbackup/>"), dom, "1700000000"));
        assertEquals("refusing to generate file name for disk 'vdb'", e.getMessage());
        String out = BackupXml.format(BackupAligner.align(BackupXml.parse(
                "<domainbackup><disks><disk name='vda'/><disk name='vdb' type='block'><target dev='/dev/bk'/>"
                        + "</disk></disks></domainbackup>"), dom, "1700000000"));
        assertTrue(out.contains("<target file='/var/lib/libvirt/images/vm1.qcow2.1700000000'/>"), out);
        assertTrue(out.contains("<disk name='vdc' backup='no'/>") && out.contains("<disk name='sda' backup='no'/>"), out);
    }

    @Test
    void embeddedDomainKeepsNamespacesAndAttributeOrder() {
        DomainDef dom = DomainXml.parse(FULL);
        CheckpointDef cp = CheckpointAligner.align(
                CheckpointXml.postParse(CheckpointXml.parse("<domaincheckpoint><name>c1</name><disks><disk name='vda'/>"
                        + "</disks></domaincheckpoint>"),
                        5), dom);
        String out = CheckpointXml.format(cp, true, false, false);
        assertTrue(out.contains("  <domain type='kvm' id='3' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"),
                out);
        assertTrue(out.contains("\n    <qemu:commandline>\n      <qemu:arg value='-trace'/>\n"), out);
        assertTrue(out.contains("<source file='/var/lib/libvirt/images/vm1.qcow2' index='2'/>"), out);
        assertTrue(out.contains("<disk name='vda' checkpoint='bitmap' bitmap='c1'/>"), out);
        assertTrue(out.contains("<disk name='vdb' checkpoint='no'/>"), out);
        assertTrue(out.contains("<disk name='sda' checkpoint='no'/>"), out);
        // what was stored reads back to the same checkpoint
        CheckpointDef again = CheckpointAligner.alignRedefine(CheckpointXml.parseRedefine(out));
        assertEquals(out, CheckpointXml.format(again, true, false, false));
        assertFalse(CheckpointXml.format(again, false, false, false).contains("hunter2"));
    }

    @Test
    void aDiskWithoutTargetIsRefused() {
        VirtBackupException e = assertThrows(VirtBackupException.class, () -> DomainXml.parse(
                "<domain type='kvm'><name>x</name><devices><disk type='file'><source file='/a'/></disk></devices>"
                        + "</domain>"));
        assertEquals(ErrorCode.XML_INVALID_SCHEMA, e.code());
        assertTrue(e.getMessage().contains("target"), e.getMessage());
    }

    @Test
    void aDomainBuiltFromDisksReadsBackAsTheSameDisksAndEmbedsEscaped() {
        List<DomainDiskDef> disks = List.of(
                new DomainDiskDef(DiskType.FILE, DiskDevice.DISK, Optional.of("qcow2"), Optional.of("/v/a&b'c.qcow2"),
                        "vda", Optional.empty(), Optional.empty(), false, false),
                new DomainDiskDef(DiskType.FILE, DiskDevice.CDROM, Optional.empty(), Optional.empty(), "sda",
                        Optional.empty(), Optional.empty(), true, false));
        DomainDef built = DomainXml.of("vm<1>", disks);
        assertEquals("vm<1>", built.name());
        assertEquals(disks, built.disks());

        CheckpointDef cp = CheckpointXml.parse("<domaincheckpoint><name>cp1</name></domaincheckpoint>")
                .withCreationTime(1).withDomain(Optional.of(new EmbeddedDomain(built)));
        String xml = CheckpointXml.format(cp, true, false, false);
        assertTrue(xml.contains("<source file='/v/a&amp;b&apos;c.qcow2'/>"), xml);
        assertTrue(xml.contains("<name>vm&lt;1&gt;</name>"), xml);
        assertEquals(disks, CheckpointXml.parseRedefine(xml).domain().orElseThrow().definition().disks());
    }
}
