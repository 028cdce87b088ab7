// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtbackup.api.CheckpointHealth;
import org.virtbackup.api.Connection;
import org.virtbackup.api.JobState;
import org.virtbackup.qemu.exec.Failpoint;
import org.virtbackup.qemu.launch.BitmapInfo;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * A virtbackup process killed ({@link Failpoint}: {@code Runtime.halt}, as {@code kill -9}) while it uses a
 * stopped domain's {@code qemu-storage-daemon}: the next process finds the daemon on record and stops it.
 */
@RequiresQemu
@Timeout(180)
class QsdCrashTest extends QsdVmTest {

    @Test
    void aDaemonLeftByAProcessKilledDuringCheckpointCreateIsStoppedByTheNextOne() throws Exception {
        Path cp = Files.writeString(tmp.resolve("cp.xml"), PushBackupTest.checkpointXml("c1"));
        DriverChild.Exit exit = DriverChild.runWith(List.of("-Dvirtbackup.failpoint=checkpoint-create:0"),
                "checkpoint-create", f.uri().toString(), f.state.toString(), cp.toString());
        assertThat(exit.status()).as("killed at the failpoint: %s", exit.output()).isEqualTo(Failpoint.STATUS);
        long pid = f.daemonOnRecord().orElseThrow().pid();
        assertThat(QsdFixture.alive(pid)).as("the killed process left its daemon").isTrue();

        try (Connection c = f.offline()) {
            assertThat(QsdFixture.alive(pid)).as("stopped when the next process opened the domain").isFalse();
            // QEMU's part was done before the kill: its bitmap, without metadata, is an orphan
            CheckpointHealth h = c.domain().checkpointHealth();
            assertThat(h.orphans()).extracting(CheckpointHealth.Orphan::bitmap).containsExactlyInAnyOrder("c1", "c1");
            assertThat(c.domain().listAllCheckpoints(Set.of())).isEmpty();
        }
        List<BitmapInfo> bitmaps = QemuImg.bitmaps(f.vda, false);
        assertThat(bitmaps).extracting(BitmapInfo::name).containsExactly("c1");
        assertThat(bitmaps.get(0).flags()).as("stopped cleanly: the bitmap was written").doesNotContain("in-use");
    }

    @Test
    void aPushStartKilledHalfwayIsEndedByAnotherProcessAndItsDaemonQuits() throws Exception {
        Path backup = Files.writeString(tmp.resolve("backup.xml"),
                PushBackupTest.pushXml(null, tmp.resolve("a.qcow2"), tmp.resolve("b.qcow2")));
        Path cp = Files.writeString(tmp.resolve("cp.xml"), PushBackupTest.checkpointXml("cp1"));
        DriverChild.Exit exit = DriverChild.runWith(List.of("-Dvirtbackup.failpoint=start:3+"),
                "begin", f.uri().toString(), f.state.toString(), backup.toString(), cp.toString());
        assertThat(exit.status()).as("killed at the failpoint: %s", exit.output()).isEqualTo(Failpoint.STATUS);
        long pid = f.daemonOnRecord().orElseThrow().pid();
        assertThat(QsdFixture.alive(pid)).as("a job is on record: its daemon stays").isTrue();
        assertThat(f.domainDir().resolve("backup.json")).exists();

        String end = DriverChild.run("end", f.uri().toString(), f.state.toString());
        assertThat(end).startsWith("OK ");
        assertThat(JobState.valueOf(end.substring(3))).isIn(JobState.FAILED, JobState.CANCELLED);
        assertThat(QsdFixture.alive(pid)).as("the end of the job is the end of its daemon").isFalse();
        assertThat(f.domainDir().resolve("backup.json")).doesNotExist();
        assertThat(tmp.resolve("a.qcow2")).as("the targets of a start that never finished are deleted")
                .doesNotExist();
        assertThat(tmp.resolve("b.qcow2")).doesNotExist();
    }

    @Test
    void aDaemonKilledUnderAPushFailsTheJobAndTheNextOperationStartsAFreshOne() throws Exception {
        Path a = tmp.resolve("a.qcow2");
        try (Connection c = f.offline(java.util.Map.of("backupSpeed", Long.toString(1L << 20)))) {
            c.domain().backupStart(PushBackupTest.pushXml(null, a, tmp.resolve("b.qcow2")),
                    PushBackupTest.checkpointXml("cp1"), Set.of());
        }
        long pid = f.daemonOnRecord().orElseThrow().pid();
        ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow();
        daemon.destroyForcibly();
        daemon.onExit().get();

        // qmpHold=connection: the daemon this connection starts lives until it is closed
        try (Connection c = f.offline(java.util.Map.of("qmpHold", "connection"))) {
            assertThat(c.domain().backupEnd(Set.of()).state()).as("ended as a job whose QEMU died")
                    .isEqualTo(JobState.FAILED);
            assertThat(a).as("the failed job's targets are deleted").doesNotExist();
            assertThat(c.domain().listAllCheckpoints(Set.of())).as("and its checkpoint discarded").isEmpty();
            c.domain().checkpointCreateXml(PushBackupTest.checkpointXml("c2"), Set.of());
            assertThat(f.daemonOnRecord().orElseThrow().pid()).as("a fresh daemon").isNotEqualTo(pid);
        }
        assertThat(QemuImg.bitmaps(f.vda, false)).extracting(BitmapInfo::name).contains("c2");
    }
}
