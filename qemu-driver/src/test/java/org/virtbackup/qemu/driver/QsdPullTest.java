// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.Connection;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.qemu.launch.BitmapInfo;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * Offline pull backups: the NBD export, and the {@code qemu-storage-daemon} serving it, stay up after the
 * process that started the job let go, until {@code backupEnd} from any connection.
 */
@RequiresQemu
@Timeout(180)
class QsdPullTest extends QsdVmTest {

    @Test
    void fullThenIncrementalPullServedUntilBackupEnd() throws Exception {
        Path socket = tmp.resolve("nbd.sock");
        String vdaUri = "nbd+unix:///vda?socket=" + socket;
        try (Connection c = f.offline()) {
            var job = c.domain().backupStart(PullChecks.pullXml(null, PullChecks.unixServer(socket), tmp),
                    PushBackupTest.checkpointXml("cp1"), Set.of());
            assertThat(job.mode()).isEqualTo(BackupMode.PULL);
        }
        long pid = f.daemonOnRecord().orElseThrow().pid();
        assertThat(QsdFixture.alive(pid)).as("the export's daemon outlives the connection that started the pull").isTrue();
        Path vdaChain = tmp.resolve("vda.chain.raw");
        Path vdbPull = tmp.resolve("vdb.pull.raw");
        NbdClients.nbdcopy(vdaUri, vdaChain).ok();
        NbdClients.nbdcopy("nbd+unix:///vdb?socket=" + socket, vdbPull).ok();
        assertThat(QemuImg.identical(f.vda, vdaChain, true)).isTrue();
        assertThat(QemuImg.identical(f.vdb, vdbPull, true)).isTrue();
        try (Connection c = f.offline()) {
            JobInfo end = c.domain().backupEnd(Set.of());
            assertThat(end.state()).isEqualTo(JobState.COMPLETED);
        }
        assertThat(QsdFixture.alive(pid)).as("backupEnd ended the daemon").isFalse();
        assertThat(tmp.resolve("vda.scratch.qcow2")).doesNotExist();
        assertThat(socket).doesNotExist();
        assertThat(QemuImg.bitmaps(f.vda, false)).extracting(BitmapInfo::name).containsExactly("cp1");

        QsdFixture.qemuIoWrite(f.vda, 6 << 20, 128 << 10, 0x99);
        try (Connection c = f.offline()) {
            c.domain().backupStart(PullChecks.pullXml("cp1", PullChecks.unixServer(socket), tmp),
                    PushBackupTest.checkpointXml("cp2"), Set.of());
        }
        assertThat(NbdClients.dirty(vdaUri, "backup-vda")).containsExactly(
                new NbdClients.Extent(6 << 20, 128 << 10, 1, "dirty"));
        assertThat(NbdClients.dirty("nbd+unix:///vdb?socket=" + socket, "backup-vdb")).isEmpty();
        NbdClients.applyExtent("server.type=unix,server.path=" + socket, "vda", 6 << 20, 128 << 10, vdaChain, tmp);
        assertThat(QemuImg.identical(f.vda, vdaChain, true)).as("full + dirty extent = vda").isTrue();
        try (Connection c = f.offline()) {
            assertThat(c.domain().backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
            assertThat(c.domain().checkpointLookupByName("cp2").isCurrent()).isTrue();
        }
        assertThat(QemuImg.bitmaps(f.vda, false)).extracting(BitmapInfo::name).containsExactly("cp1", "cp2");
    }
}
