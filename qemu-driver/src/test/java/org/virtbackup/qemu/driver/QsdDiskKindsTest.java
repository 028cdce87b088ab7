// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.CheckpointCreateFlag;
import org.virtbackup.api.CheckpointDeleteFlag;
import org.virtbackup.api.CheckpointDiskState;
import org.virtbackup.api.CheckpointHealth;
import org.virtbackup.api.CheckpointXmlFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.launch.BitmapInfo;
import org.virtbackup.qemu.launch.DiskDataGenerator;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * The disks of a stopped VM that are not plain qcow2 files, offline as online (SPEC §12): an overlay on a
 * base, a qcow2 on a block device (a loop device), a raw disk (full only), and checkpoints redefined and
 * validated while the VM is stopped. Each backup is compared with its disk.
 */
@RequiresQemu
@Timeout(240)
class QsdDiskKindsTest {

    @TempDir
    Path tmp;

    QsdFixture f;
    LoopDevice loop;

    @AfterEach
    void noDaemonLeft() throws Exception {
        try {
            if (f != null) {
                f.assertNoDaemonLeftAndClose();
            }
        } finally {
            if (loop != null) {
                loop.close();
            }
        }
    }

    private Path target(String name) {
        return tmp.resolve(name + ".qcow2");
    }

    @Test
    void anOverlayOnABaseIsBackedUpWholeOfflineThenIncrementallyOfflineAndOnline() throws Exception {
        f = new QsdFixture(tmp);
        Path base = tmp.resolve("vdb.base.qcow2");
        Files.delete(f.vdb);
        DiskDataGenerator.generate(base, ImageFormat.QCOW2, QsdFixture.SIZE, 7);
        QemuImg.createOverlay(f.vdb, base, ImageFormat.QCOW2);
        QsdFixture.qemuIoWrite(f.vdb, 4 << 20, 64 << 10, 0x71);

        try (Connection c = f.offline()) {
            QsdBackupTest.push(c.domain(), null, target("vda.full"), target("vdb.full"), "cp1");
        }
        assertThat(QemuImg.info(target("vdb.full"), false).backingFile()).as("a full backup is standalone").isEmpty();
        assertThat(QemuImg.identical(f.vdb, target("vdb.full"))).as("overlay + base, whole").isTrue();
        assertThat(QemuImg.bitmaps(f.vdb, false)).extracting(BitmapInfo::name).containsExactly("cp1");
        assertThat(QemuImg.bitmaps(base, false)).as("the base is read-only: no bitmap there").isEmpty();

        QsdFixture.qemuIoWrite(f.vdb, 12 << 20, 128 << 10, 0x72);
        try (Connection c = f.offline()) {
            QsdBackupTest.push(c.domain(), "cp1", target("vda.inc1"), target("vdb.inc1"), "cp2");
        }
        assertThat(QemuImg.identical(f.vdb, target("vdb.inc1"))).as("full <- inc1 equals overlay + base").isTrue();
        assertThat(QemuImg.identical(target("vdb.full"), target("vdb.inc1"))).isFalse();

        // the VM started on the chain, as libvirt opens it: a named node per layer
        try (EmbeddedQemu vm = EmbeddedQemu.builder().workDir(tmp.resolve("qemu")).disk(f.vda, "vda")
                .extraArgs(chainArgs(base, f.vdb)).start()) {
            hmpWrite(vm, "vdb", 20 << 20, 64 << 10, 0x73);
            try (Connection c = f.online(vm)) {
                QsdBackupTest.push(c.domain(), "cp2", target("vda.inc2"), target("vdb.inc2"), "cp3");
            }
            hmpWrite(vm, "vdb", 0, 0, -1);
            assertThat(QemuImg.identical(f.vdb, target("vdb.inc2"), true)).as("full <- inc1 <- inc2").isTrue();
            assertThat(QemuImg.identical(target("vdb.inc1"), target("vdb.inc2"))).isFalse();
        }
        assertThat(QemuImg.identical(f.vdb, target("vdb.inc2"))).isTrue();
    }

    /** vdb as libvirt attaches an overlay: the base a read-only named node, the overlay's backing. */
    private static String[] chainArgs(Path base, Path overlay) {
        return new String[] {
            "-blockdev", "{\"driver\":\"file\",\"node-name\":\"vdb-base-storage\",\"filename\":\"" + base
                    + "\",\"read-only\":true}",
            "-blockdev", "{\"driver\":\"qcow2\",\"node-name\":\"vdb-base-format\",\"file\":\"vdb-base-storage\","
                    + "\"read-only\":true,\"backing\":null}",
            "-blockdev", "{\"driver\":\"file\",\"node-name\":\"vdb-storage\",\"filename\":\"" + overlay + "\"}",
            "-blockdev", "{\"driver\":\"qcow2\",\"node-name\":\"vdb-format\",\"file\":\"vdb-storage\","
                    + "\"backing\":\"vdb-base-format\"}",
            "-device", "virtio-blk-pci,drive=vdb-format,id=vdb"};
    }

    /** A guest write (or, with a negative pattern, a flush) to a device the launcher did not attach. */
    private static void hmpWrite(EmbeddedQemu vm, String device, long offset, long length, int pattern) {
        String io = pattern < 0 ? "flush" : String.format("write -P 0x%02x %d %d", pattern, offset, length);
        var args = JsonNodeFactory.instance.objectNode().put("command-line",
                "qemu-io -d /machine/peripheral/" + device + "/virtio-backend \"" + io + "\"");
        assertThat(vm.control(new QmpCommand("human-monitor-command", args)).asText("")).as("qemu-io " + io)
                .isBlank();
    }

    @Test
    void aQcow2OnABlockDeviceIsBackedUpFullAndIncrementally() throws Exception {
        f = new QsdFixture(tmp);
        loop = LoopDevice.attach(tmp.resolve("vdb.loop.img"), QsdFixture.SIZE + (8 << 20));
        QsdFixture.copyOnto(f.vdb, loop.device());
        Files.delete(f.vdb);
        f.useBlockDeviceForVdb(loop.device());

        try (Connection c = f.offline()) {
            QsdBackupTest.push(c.domain(), null, target("vda.full"), target("vdb.full"), "cp1");
        }
        assertThat(QemuImg.identical(loop.device(), target("vdb.full"))).isTrue();
        try (Connection c = f.offline(java.util.Map.of("qmpHold", "connection"))) {
            assertThat(c.domain().checkpointHealth().problems()).isEmpty();
            long pid = f.daemonOnRecord().orElseThrow().pid();
            String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
            assertThat(cmdline).as("the device is opened as one").contains("{\"driver\":\"host_device\","
                    + "\"node-name\":\"vdb-storage\",\"filename\":\"" + loop.device() + "\"");
        }
        assertThat(QemuImg.bitmaps(loop.device(), false)).extracting(BitmapInfo::name).containsExactly("cp1");
        QsdFixture.qemuIoWrite(loop.device(), 6 << 20, 64 << 10, 0x81);
        try (Connection c = f.offline()) {
            var inc = QsdBackupTest.push(c.domain(), "cp1", target("vda.inc"), target("vdb.inc"), "cp2");
            assertThat(inc.diskProcessed().getAsLong()).as("the dirty clusters only").isLessThan(1L << 20);
        }
        assertThat(QemuImg.identical(loop.device(), target("vdb.inc"))).as("full <- inc equals the device").isTrue();
        assertThat(QemuImg.identical(target("vdb.full"), target("vdb.inc"))).isFalse();
        assertThat(Files.isRegularFile(loop.device())).as("the device is still a device").isFalse();
    }

    @Test
    void aRawDiskIsBackedUpInFullOnlyAnIncrementalOfItIsRefusedSayingWhatWorks() throws Exception {
        f = new QsdFixture(tmp, ImageFormat.RAW);
        String vdaOnly = "<domaincheckpoint><name>%s</name><disks><disk name='vda'/>"
                + "<disk name='vdb' checkpoint='no'/></disks></domaincheckpoint>";
        try (Connection c = f.offline()) {
            c.domain().backupStart(PushBackupTest.pushXml(null, target("vda.full"), target("vdb.full")), vdaOnly.formatted("cp1"),
                    Set.of()).awaitCompletion(java.time.Duration.ofSeconds(60));
            c.domain().backupEnd(Set.of());
        }
        assertThat(QemuImg.identical(f.vdb, target("vdb.full"))).isTrue();
        try (Connection c = f.offline()) {
            assertThatThrownBy(() -> c.domain().backupStart(PushBackupTest.pushXml("cp1", target("vda.inc"),
                    target("vdb.inc")), vdaOnly.formatted("cp2"), Set.of()))
                    .isInstanceOfSatisfying(VirtBackupException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_INCONSISTENT))
                    .hasMessage("missing or broken bitmap 'cp1' for disk 'vdb': bitmap 'cp1' is missing in top layer "
                            + "'vdb-format' (a raw image holds no bitmaps: back the disk up in full, <disk name='vdb' "
                            + "backupmode='full'>)");
            // what the message says works: vdb in full inside the incremental job
            String mixed = "<domainbackup><incremental>cp1</incremental><disks>"
                    + "<disk name='vda' type='file'><target file='" + target("vda.inc") + "'/></disk>"
                    + "<disk name='vdb' type='file' backupmode='full'><target file='" + target("vdb.inc")
                    + "'/></disk></disks></domainbackup>";
            assertThat(target("vda.inc")).doesNotExist();
            c.domain().backupStart(mixed, vdaOnly.formatted("cp2"), Set.of())
                    .awaitCompletion(java.time.Duration.ofSeconds(60));
            c.domain().backupEnd(Set.of());
            assertThat(c.domain().currentBackup()).isEmpty();
            assertThat(c.domain().listAllCheckpoints(Set.of())).extracting(DomainCheckpoint::name)
                    .containsExactly("cp1", "cp2");
        }
        assertThat(QemuImg.identical(f.vda, target("vda.inc"))).as("full <- inc equals vda").isTrue();
        assertThat(QemuImg.info(target("vdb.inc"), false).backingFile()).as("vdb in full").isEmpty();
        assertThat(QemuImg.identical(f.vdb, target("vdb.inc"))).isTrue();
        assertThat(QemuImg.bitmaps(f.vda, false)).extracting(BitmapInfo::name).containsExactly("cp1", "cp2");
    }

    @Test
    void checkpointsAreRedefinedAndValidatedOffline() throws Exception {
        f = new QsdFixture(tmp);
        String xml;
        try (Connection c = f.offline()) {
            c.domain().checkpointCreateXml(PushBackupTest.checkpointXml("cp1"), Set.of());
            xml = c.domain().checkpointLookupByName("cp1").getXmlDesc(Set.of());
            c.domain().checkpointLookupByName("cp1").delete(EnumSet.of(CheckpointDeleteFlag.METADATA_ONLY));
            assertThat(c.domain().listAllCheckpoints(Set.of())).isEmpty();
            assertThat(c.domain().checkpointHealth().orphans()).extracting(CheckpointHealth.Orphan::bitmap)
                    .containsExactly("cp1", "cp1");

            DomainCheckpoint back = c.domain().checkpointCreateXml(xml,
                    EnumSet.of(CheckpointCreateFlag.REDEFINE, CheckpointCreateFlag.REDEFINE_VALIDATE));
            assertThat(back.name()).isEqualTo("cp1");
            assertThat(back.getXmlDesc(EnumSet.of(CheckpointXmlFlag.SIZE))).contains("size='0'");
            CheckpointHealth h = c.domain().checkpointHealth();
            assertThat(h.disks()).extracting(CheckpointHealth.DiskEntry::state)
                    .containsOnly(CheckpointDiskState.OK).hasSize(2);
            assertThat(h.orphans()).isEmpty();
        }
        // the bitmap of vdb goes while the VM is stopped: the redefinition must see that
        NbdClients.run(List.of("qemu-img", "bitmap", "--remove", f.vdb.toString(), "cp1")).ok();
        try (Connection c = f.offline()) {
            c.domain().checkpointLookupByName("cp1").delete(EnumSet.of(CheckpointDeleteFlag.METADATA_ONLY));
            assertThatThrownBy(() -> c.domain().checkpointCreateXml(xml,
                    EnumSet.of(CheckpointCreateFlag.REDEFINE, CheckpointCreateFlag.REDEFINE_VALIDATE)))
                    .isInstanceOfSatisfying(VirtBackupException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_INCONSISTENT))
                    .hasMessage("missing or broken bitmap 'cp1' for disk 'vdb': bitmap 'cp1' is missing in top layer "
                            + "'vdb-format'");
            assertThat(c.domain().listAllCheckpoints(Set.of())).isEmpty();
            // without VALIDATE it is taken on trust, as libvirt does, and the health report tells
            c.domain().checkpointCreateXml(xml, EnumSet.of(CheckpointCreateFlag.REDEFINE));
            assertThat(c.domain().checkpointHealth().problems()).extracting(CheckpointHealth.DiskEntry::disk)
                    .containsExactly("vdb");
        }
        assertThat(QemuImg.bitmaps(f.vda, false)).extracting(BitmapInfo::name).containsExactly("cp1");
    }
}
