// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.JobInfo;
import org.virtbackup.qemu.launch.EmbeddedQemu;
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
class QsdOnlineOfflineTest {

    @TempDir
    Path tmp;

    QsdFixture f;

    @BeforeEach
    void createVm() throws Exception {
        f = new QsdFixture(tmp);
    }

    @AfterEach
    void noDaemonLeft() throws Exception {
        f.assertNoDaemonLeftAndClose();
    }

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
            vm.guestFlush("vda");
            vm.guestFlush("vdb");
            assertThat(QemuImg.identical(f.vda, target("vda.full"), true)).isTrue();
            assertThat(QemuImg.identical(f.vdb, target("vdb.full"), true)).isTrue();
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
            vm.guestFlush("vda");
            vm.guestFlush("vdb");
            assertThat(QemuImg.identical(f.vda, target("vda.inc2"), true)).as("full <- inc1 <- inc2 equals vda")
                    .isTrue();
            assertThat(QemuImg.identical(f.vdb, target("vdb.inc2"), true)).as("full <- inc1 <- inc2 equals vdb")
                    .isTrue();
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
            vm.guestFlush("vdb");
            assertThat(QemuImg.identical(f.vdb, target("vdb.inc1"), true)).isTrue();
            assertThat(QemuImg.identical(f.vda, target("vda.inc1"), true)).isTrue();
            vm.guestWrite("vda", 9 << 20, 64 << 10, 0x66);
        }
        try (Connection c = f.offline()) {
            QsdBackupTest.push(c.domain(), "cp2", target("vda.inc2"), target("vdb.inc2"), "cp3");
        }
        assertThat(QemuImg.identical(f.vda, target("vda.inc2"))).isTrue();
        assertThat(QemuImg.identical(f.vdb, target("vdb.inc2"))).isTrue();
        assertThat(QemuImg.identical(target("vda.inc1"), target("vda.inc2"))).isFalse();
    }
}
