// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.JobInfo;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * Checkpoints are one history online and offline (SPEC §12): with the same state directory and domain name,
 * an offline incremental starts from a checkpoint the running VM's QEMU created, and an online incremental
 * (the VM started again on the same images) from one the {@code qemu-storage-daemon} created; each backup
 * chain restores to the disk it was taken from.
 */
@RequiresQemu
@Timeout(240)
class QsdOnlineOfflineTest extends QsdVmTest {

    private Path target(String name) {
        return tmp.resolve(name + ".qcow2");
    }

    @Test
    void onlineToOfflineToOnlineIncrementalsChainToTheDisks() throws Exception {
        // online full with cp1, then the guest writes and the VM stops
        try (EmbeddedQemu vm = f.startVm()) {
            try (Connection c = f.online(vm)) {
                QsdBackupTest.push(c.domain(), null, target("vda.full"), target("vdb.full"), "cp1");
            }
            assertEqualsRunningDisks(vm, "full");
            vm.guestWrite("vda", 3 << 20, 128 << 10, 0x11);
            vm.guestWrite("vdb", 20 << 20, 64 << 10, 0x22);
        }

        // offline incremental from the online checkpoint, with a new checkpoint cp2
        try (Connection c = f.offline()) {
            JobInfo inc = QsdBackupTest.push(c.domain(), "cp1", target("vda.inc1"), target("vdb.inc1"), "cp2");
            assertThat(inc.diskProcessed().getAsLong()).as("the writes of the running VM, only")
                    .isGreaterThanOrEqualTo(192L << 10).isLessThan(1L << 20);
        }
        assertThat(QemuImg.info(target("vda.inc1"), false).backingFile()).contains(target("vda.full").toString());
        assertThat(QemuImg.identical(f.vda, target("vda.inc1"))).as("full <- inc1 equals vda").isTrue();
        assertThat(QemuImg.identical(f.vdb, target("vdb.inc1"))).as("full <- inc1 equals vdb").isTrue();
        assertThat(QemuImg.identical(target("vda.full"), target("vda.inc1"))).isFalse();

        // the VM runs again and writes; an online incremental from the offline checkpoint
        try (EmbeddedQemu vm = f.startVm()) {
            vm.guestWrite("vda", 7 << 20, 64 << 10, 0x33);
            vm.guestWrite("vdb", 30 << 20, 64 << 10, 0x44);
            try (Connection c = f.online(vm)) {
                JobInfo inc = QsdBackupTest.push(c.domain(), "cp2", target("vda.inc2"), target("vdb.inc2"), "cp3");
                assertThat(inc.diskProcessed().getAsLong()).isGreaterThanOrEqualTo(128L << 10).isLessThan(1L << 20);
                assertThat(c.domain().listAllCheckpoints(EnumSet.of(CheckpointListFlag.TOPOLOGICAL)))
                        .extracting(DomainCheckpoint::name).containsExactly("cp1", "cp2", "cp3");
            }
            assertEqualsRunningDisks(vm, "inc2");
            assertThat(QemuImg.identical(target("vda.inc1"), target("vda.inc2"))).isFalse();
        }
    }

    @Test
    void offlineCheckpointThenOnlineIncrementalThenOfflineIncremental() throws Exception {
        try (Connection c = f.offline()) {
            QsdBackupTest.push(c.domain(), null, target("vda.full"), target("vdb.full"), "cp1");
        }
        assertThat(QemuImg.identical(f.vda, target("vda.full"))).isTrue();
        try (EmbeddedQemu vm = f.startVm()) {
            vm.guestWrite("vdb", 5 << 20, 64 << 10, 0x55);
            try (Connection c = f.online(vm)) {
                QsdBackupTest.push(c.domain(), "cp1", target("vda.inc1"), target("vdb.inc1"), "cp2");
            }
            assertEqualsRunningDisks(vm, "inc1");
            vm.guestWrite("vda", 9 << 20, 64 << 10, 0x66);
        }
        try (Connection c = f.offline()) {
            QsdBackupTest.push(c.domain(), "cp2", target("vda.inc2"), target("vdb.inc2"), "cp3");
        }
        assertThat(QemuImg.identical(f.vda, target("vda.inc2"))).isTrue();
        assertThat(QemuImg.identical(f.vdb, target("vdb.inc2"))).isTrue();
        assertThat(QemuImg.identical(target("vda.inc1"), target("vda.inc2"))).isFalse();
    }

    /**
     * The first "must show": offline full, then offline incremental with a new checkpoint, each equal to
     * the disks; the VM started, the guest writes, and an online incremental from the offline checkpoint whose
     * chain, flattened into one image, restores the live disk.
     */
    @Test
    void offlineFullAndIncrementalThenOnlineIncrementalRestoresTheLiveDisks() throws Exception {
        try (Connection c = f.offline()) {
            QsdBackupTest.push(c.domain(), null, target("vda.full"), target("vdb.full"), "cp1");
        }
        assertThat(QemuImg.identical(f.vda, target("vda.full"))).isTrue();
        assertThat(QemuImg.identical(f.vdb, target("vdb.full"))).isTrue();
        QsdFixture.qemuIoWrite(f.vda, 2 << 20, 64 << 10, 0x21);
        QsdFixture.qemuIoWrite(f.vdb, 11 << 20, 64 << 10, 0x22);
        try (Connection c = f.offline()) {
            QsdBackupTest.push(c.domain(), "cp1", target("vda.inc1"), target("vdb.inc1"), "cp2");
        }
        assertThat(QemuImg.identical(f.vda, target("vda.inc1"))).as("full <- inc1 equals vda").isTrue();
        assertThat(QemuImg.identical(f.vdb, target("vdb.inc1"))).as("full <- inc1 equals vdb").isTrue();

        try (EmbeddedQemu vm = f.startVm()) {
            vm.guestWrite("vda", 17 << 20, 128 << 10, 0x23);
            vm.guestWrite("vdb", 1 << 20, 64 << 10, 0x24);
            try (Connection c = f.online(vm)) {
                JobInfo inc = QsdBackupTest.push(c.domain(), "cp2", target("vda.inc2"), target("vdb.inc2"), "cp3");
                assertThat(inc.diskProcessed().getAsLong()).as("the guest's writes only").isLessThan(1L << 20);
            }
            vm.guestFlush("vda");
            vm.guestFlush("vdb");
            assertRestores(target("vda.inc2"), f.vda, true);
            assertRestores(target("vdb.inc2"), f.vdb, true);
        }
    }

    /**
     * The reverse order: online full, then online incremental with a new checkpoint, each equal to the disks;
     * the VM stopped, the disks changed, and an offline incremental from the online checkpoint whose chain
     * restores the disks.
     */
    @Test
    void onlineFullAndIncrementalThenOfflineIncrementalRestoresTheDisks() throws Exception {
        try (EmbeddedQemu vm = f.startVm()) {
            try (Connection c = f.online(vm)) {
                QsdBackupTest.push(c.domain(), null, target("vda.full"), target("vdb.full"), "cp1");
                assertEqualsRunningDisks(vm, "full");
                vm.guestWrite("vda", 6 << 20, 64 << 10, 0x31);
                vm.guestWrite("vdb", 25 << 20, 64 << 10, 0x32);
                QsdBackupTest.push(c.domain(), "cp1", target("vda.inc1"), target("vdb.inc1"), "cp2");
            }
            assertEqualsRunningDisks(vm, "inc1");
            vm.guestWrite("vdb", 13 << 20, 128 << 10, 0x33);
        }
        QsdFixture.qemuIoWrite(f.vda, 29 << 20, 64 << 10, 0x34);
        try (Connection c = f.offline()) {
            JobInfo inc = QsdBackupTest.push(c.domain(), "cp2", target("vda.inc2"), target("vdb.inc2"), "cp3");
            assertThat(inc.diskProcessed().getAsLong()).as("written since cp2 only").isGreaterThanOrEqualTo(192L << 10)
                    .isLessThan(1L << 20);
            assertThat(c.domain().listAllCheckpoints(EnumSet.of(CheckpointListFlag.TOPOLOGICAL)))
                    .extracting(DomainCheckpoint::name).containsExactly("cp1", "cp2", "cp3");
        }
        assertRestores(target("vda.inc2"), f.vda, false);
        assertRestores(target("vdb.inc2"), f.vdb, false);
    }

    /** Both backups {@code vda.<tag>} and {@code vdb.<tag>}, on their chains, equal the running VM's disks. */
    private void assertEqualsRunningDisks(EmbeddedQemu vm, String tag) {
        vm.guestFlush("vda");
        vm.guestFlush("vdb");
        assertThat(QemuImg.identical(f.vda, target("vda." + tag), true)).as("vda.%s equals vda", tag).isTrue();
        assertThat(QemuImg.identical(f.vdb, target("vdb." + tag), true)).as("vdb.%s equals vdb", tag).isTrue();
    }

    /** The chain ending in {@code top}, flattened into one raw image as a restore does, equals {@code disk}. */
    private void assertRestores(Path top, Path disk, boolean running) {
        Path restored = tmp.resolve(top.getFileName() + ".restored.raw");
        QemuImg.convert(top, ImageFormat.QCOW2, restored, ImageFormat.RAW);
        assertThat(QemuImg.identical(disk, restored, running)).as("%s restores %s", top, disk).isTrue();
    }
}
