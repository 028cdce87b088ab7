// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.CheckpointXmlFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.JobState;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.launch.DiskDataGenerator;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.testing.RequiresQemu;

/** A QEMU started the way libvirt starts it (device ids virtio-disk0/1), addressed by libvirt's disk names. */
@RequiresQemu
@Timeout(120)
class DomainXmlMappingTest {

    @TempDir
    Path tmp;

    private String domainXml(Path a, Path b) {
        return """
                <domain type='kvm'>
                  <name>vm1</name>
                  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>
                  <devices>
                    <disk type='file' device='disk'>
                      <driver name='qemu' type='qcow2'/>
                      <source file='%s'/>
                      <target dev='vda' bus='virtio'/>
                      <alias name='virtio-disk0'/>
                    </disk>
                    <disk type='file' device='disk'>
                      <driver name='qemu' type='qcow2'/>
                      <source file='%s'/>
                      <target dev='vdb' bus='virtio'/>
                    </disk>
                    <disk type='file' device='cdrom'>
                      <target dev='sda' bus='sata'/>
                      <readonly/>
                    </disk>
                  </devices>
                </domain>
                """.formatted(a, b);
    }

    @Test
    void libvirtNamesWorkThroughTheDomainXmlAndTheJobEndsWithoutIt() throws Exception {
        Path a = tmp.resolve("a.qcow2");
        Path b = tmp.resolve("b.qcow2");
        DiskDataGenerator.generate(a, ImageFormat.QCOW2, 16L << 20, 1);
        DiskDataGenerator.generate(b, ImageFormat.QCOW2, 16L << 20, 2);
        Path domain = Files.writeString(tmp.resolve("domain.xml"), domainXml(a, b));
        String state = tmp.resolve("state").toString();
        try (EmbeddedQemu qemu = EmbeddedQemu.builder().workDir(tmp.resolve("qemu"))
                .disk(a, "virtio-disk0").disk(b, "virtio-disk1").start()) {
            try (Connection c = Connections.open(qemu.qmpUri("vm1"), Map.of("stateDir", state, "domainXml", domain.toString()))) {
                String xml = PushBackupTest.pushXml(null, tmp.resolve("vda.bak.qcow2"), tmp.resolve("vdb.bak.qcow2"));
                assertThat(c.domain().backupStart(xml, PushBackupTest.checkpointXml("cp1"), Set.of())
                        .awaitCompletion(Duration.ofSeconds(60)).state()).isEqualTo(JobState.COMPLETED);
                String cp = c.domain().checkpointLookupByName("cp1").getXmlDesc(Set.of(CheckpointXmlFlag.SECURE));
                assertThat(cp).as("the checkpoint embeds the caller's domain, by libvirt's names")
                        .contains("<disk name='vda' checkpoint='bitmap' bitmap='cp1'/>")
                        .contains("<uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>", "<alias name='virtio-disk0'/>");
            }
            try (Connection c = Connections.open(qemu.qmpUri("vm1"), Map.of("stateDir", state))) {
                assertThat(c.domain().backupEnd(Set.of()).state()).as("the job remembers the names").isEqualTo(JobState.COMPLETED);
            }
            qemu.guestFlush("virtio-disk0");
            qemu.guestFlush("virtio-disk1");
            assertThat(QemuImg.identical(a, tmp.resolve("vda.bak.qcow2"), true)).isTrue();
            assertThat(QemuImg.identical(b, tmp.resolve("vdb.bak.qcow2"), true)).isTrue();
        }
    }

    @Test
    void aDomainDiskThatMatchesNothingIsRefused() throws Exception {
        Path a = tmp.resolve("a.qcow2");
        DiskDataGenerator.generate(a, ImageFormat.QCOW2, 16L << 20, 1);
        Path domain = Files.writeString(tmp.resolve("domain.xml"), domainXml(a, tmp.resolve("elsewhere.qcow2")));
        try (EmbeddedQemu qemu = EmbeddedQemu.builder().workDir(tmp.resolve("qemu")).disk(a, "virtio-disk0").start();
                Connection c = Connections.open(qemu.qmpUri("vm1"),
                        Map.of("stateDir", tmp.resolve("state").toString(), "domainXml", domain.toString()))) {
            VirtBackupException e = catchThrowableOfType(() -> c.domain().backupStart("<domainbackup/>", null, Set.of()),
                    VirtBackupException.class);
            assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_UNSUPPORTED);
            assertThat(e).hasMessageStartingWith("disk 'vdb' of the domain XML matches no disk of QEMU");
        }
    }
}
