// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.BackupStartFlag;
import org.virtbackup.api.CheckpointDeleteFlag;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.launch.BitmapInfo;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.store.DaemonFile;
import org.virtbackup.qemu.testing.RequiresQemu;

/** Offline backups of a stopped VM on {@code qemu-storage-daemon} ({@code qsd:} driver), on real images. */
@RequiresQemu
@Timeout(180)
class QsdBackupTest extends QsdVmTest {

    static JobInfo push(Domain dom, String incremental, Path vdaTarget, Path vdbTarget, String checkpoint) {
        BackupJob job = dom.backupStart(PushBackupTest.pushXml(incremental, vdaTarget, vdbTarget),
                checkpoint == null ? null : PushBackupTest.checkpointXml(checkpoint), Set.of());
        JobInfo done = job.awaitCompletion(Duration.ofSeconds(60));
        assertThat(done.state()).as("job %s", done).isEqualTo(JobState.COMPLETED);
        JobInfo end = dom.backupEnd(Set.of());
        assertThat(end.state()).isEqualTo(JobState.COMPLETED);
        return end;
    }

    @Test
    void offlineFullThenIncrementalWithNewCheckpointsEqualTheDisks() throws Exception {
        Path vdaFull = tmp.resolve("vda.full.qcow2");
        Path vdbFull = tmp.resolve("vdb.full.qcow2");
        try (Connection c = f.offline()) {
            JobInfo full = push(c.domain(), null, vdaFull, vdbFull, "cp1");
            assertThat(full.diskTotal().getAsLong()).isEqualTo(2 * QsdFixture.SIZE);
        }
        assertThat(f.daemonsRunning()).as("the daemon quit when the operation ended").isEmpty();
        assertThat(QemuImg.identical(f.vda, vdaFull)).isTrue();
        assertThat(QemuImg.identical(f.vdb, vdbFull)).isTrue();
        // the daemon's clean exit wrote the new checkpoint's bitmap into each image
        assertThat(QemuImg.bitmaps(f.vda, false)).extracting(BitmapInfo::name).containsExactly("cp1");

        QsdFixture.qemuIoWrite(f.vda, 1 << 20, 128 << 10, 0xaa);
        QsdFixture.qemuIoWrite(f.vdb, 9 << 20, 64 << 10, 0x55);
        Path vdaInc = tmp.resolve("vda.inc.qcow2");
        Path vdbInc = tmp.resolve("vdb.inc.qcow2");
        try (Connection c = f.offline()) {
            JobInfo inc = push(c.domain(), "cp1", vdaInc, vdbInc, "cp2");
            assertThat(inc.diskProcessed().getAsLong()).as("only dirty clusters are copied").isLessThan(1L << 20)
                    .isGreaterThanOrEqualTo(192L << 10);
        }
        assertThat(QemuImg.info(vdaInc, false).backingFile()).contains(vdaFull.toString());
        assertThat(QemuImg.identical(f.vda, vdaInc)).as("full <- inc equals vda").isTrue();
        assertThat(QemuImg.identical(f.vdb, vdbInc)).as("full <- inc equals vdb").isTrue();
        assertThat(QemuImg.identical(vdaFull, vdaInc)).as("the incremental holds the change").isFalse();

        try (Connection c = f.offline()) {
            Domain dom = c.domain();
            assertThat(dom.listAllCheckpoints(EnumSet.of(CheckpointListFlag.TOPOLOGICAL)))
                    .extracting(DomainCheckpoint::name).containsExactly("cp1", "cp2");
            assertThat(dom.checkpointLookupByName("cp2").getXmlDesc(Set.of())).contains("<parent>")
                    .contains("<name>cp1</name>").contains("<disk name='vda'");
            dom.checkpointLookupByName("cp1").delete(Set.of());
            assertThat(dom.listAllCheckpoints(Set.of())).extracting(DomainCheckpoint::name).containsExactly("cp2");
        }
        assertThat(QemuImg.bitmaps(f.vda, false)).extracting(BitmapInfo::name).containsExactly("cp2");
        assertThat(QemuImg.bitmaps(f.vdb, false)).extracting(BitmapInfo::name).containsExactly("cp2");
    }

    @Test
    void aDiskWithBackupNoIsSkippedAsOnline() throws Exception {
        Path vdaFull = tmp.resolve("vda.full.qcow2");
        String xml = "<domainbackup><disks><disk name='vda' type='file'><target file='" + vdaFull + "'/></disk>"
                + "<disk name='vdb' backup='no'/></disks></domainbackup>";
        try (Connection c = f.offline()) {
            c.domain().backupStart(xml, null, Set.of()).awaitCompletion(Duration.ofSeconds(60));
            JobInfo end = c.domain().backupEnd(Set.of());
            assertThat(end.state()).isEqualTo(JobState.COMPLETED);
            assertThat(end.diskTotal().getAsLong()).isEqualTo(QsdFixture.SIZE);
        }
        assertThat(QemuImg.identical(f.vda, vdaFull)).isTrue();
        try (var files = java.nio.file.Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.contains("full")))
                    .containsExactly("vda.full.qcow2");
        }
    }

    @Test
    void checkpointCreateOfflineAddsPersistentBitmaps() throws Exception {
        try (Connection c = f.offline()) {
            DomainCheckpoint cp = c.domain().checkpointCreateXml(PushBackupTest.checkpointXml("c1"), Set.of());
            assertThat(cp.name()).isEqualTo("c1");
        }
        assertThat(QemuImg.bitmaps(f.vda, false)).extracting(BitmapInfo::name).containsExactly("c1");
        assertThat(QemuImg.bitmaps(f.vda, false).get(0).flags()).doesNotContain("in-use");
        try (Connection c = f.offline()) {
            c.domain().checkpointLookupByName("c1").delete(EnumSet.noneOf(CheckpointDeleteFlag.class));
        }
        assertThat(QemuImg.bitmaps(f.vda, false)).isEmpty();
        assertThat(QemuImg.bitmaps(f.vdb, false)).isEmpty();
    }

    @Test
    void theDaemonLivesWhileThePushCopiesAndQuitsWhenWhoeverLooksSettlesIt() throws Exception {
        long pid;
        try (Connection c = f.offline(Map.of("backupSpeed", Long.toString(8L << 20)))) {
            c.domain().backupStart(PushBackupTest.pushXml(null, tmp.resolve("a.qcow2"), tmp.resolve("b.qcow2")),
                    PushBackupTest.checkpointXml("cp1"), Set.of());
            pid = f.daemonOnRecord().orElseThrow().pid();
        }
        // the process that started the job let go: the copy goes on in the daemon
        assertThat(QsdFixture.alive(pid)).isTrue();
        assertThat(f.daemonsRunning()).containsExactly(pid);
        try (Connection c = f.offline()) {
            Domain dom = c.domain();
            for (int i = 0; i < 300 && dom.currentBackup().isPresent(); i++) {
                Thread.sleep(100);
            }
            assertThat(dom.currentBackup()).as("the finished push was settled by a look").isEmpty();
            assertThat(dom.jobInfo(true).state()).isEqualTo(JobState.COMPLETED);
        }
        assertThat(QsdFixture.alive(pid)).as("daemon quit").isFalse();
        assertThat(QemuImg.identical(f.vda, tmp.resolve("a.qcow2"))).isTrue();
        assertThat(QemuImg.bitmaps(f.vdb, false)).extracting(BitmapInfo::name).containsExactly("cp1");
    }

    @Test
    void aRunningVmIsRefusedAndNothingChanges() throws Exception {
        try (EmbeddedQemu vm = f.startVm(); Connection c = f.offline()) {
            assertThatThrownBy(() -> c.domain().checkpointCreateXml(PushBackupTest.checkpointXml("c1"), Set.of()))
                    .isInstanceOfSatisfying(VirtBackupException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_INVALID))
                    .hasMessageContaining("domain 'vm1' is running");
            assertThatThrownBy(() -> c.domain().backupStart(PushBackupTest.pushXml(null, tmp.resolve("a.qcow2"),
                    tmp.resolve("b.qcow2")), null, Set.of()))
                    .isInstanceOfSatisfying(VirtBackupException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_INVALID));
            assertThat(c.domain().listAllCheckpoints(Set.of())).isEmpty();
            assertThat(f.daemonsRunning()).isEmpty();
        }
        assertThat(tmp.resolve("a.qcow2")).doesNotExist();
        assertThat(QemuImg.bitmaps(f.vda, false)).isEmpty();
    }

    @Test
    void anOnlineJobIsNotEndedOfflineWhileTheVmRuns() throws Exception {
        Path a = tmp.resolve("a.qcow2");
        try (EmbeddedQemu vm = f.startVm()) {
            try (Connection online = f.online(vm, Map.of("backupSpeed", Long.toString(1L << 20)))) {
                online.domain().backupStart(PushBackupTest.pushXml(null, a, tmp.resolve("b.qcow2")), null, Set.of());
            }
            try (Connection c = f.offline()) {
                assertThatThrownBy(() -> c.domain().backupEnd(Set.of()))
                        .isInstanceOfSatisfying(VirtBackupException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_INVALID))
                        .hasMessageContaining("domain 'vm1' is running");
            }
            assertThat(f.domainDir().resolve("backup.json")).as("the online job is untouched").exists();
            assertThat(a).exists();
            try (Connection online = f.online(vm)) {
                assertThat(online.domain().backupEnd(Set.of()).state()).isEqualTo(JobState.CANCELLED);
            }
        }
        assertThat(a).doesNotExist();
    }

    @Test
    void whatNeedsAGuestIsRefusedOffline() throws Exception {
        String xml = PushBackupTest.pushXml(null, tmp.resolve("a.qcow2"), tmp.resolve("b.qcow2"));
        try (Connection c = f.offline()) {
            assertThatThrownBy(() -> c.domain().backupStart(xml, null,
                    EnumSet.of(BackupStartFlag.PRESERVE_ON_GUEST_SHUTDOWN)))
                    .isInstanceOfSatisfying(VirtBackupException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_INVALID))
                    .hasMessageContaining("PRESERVE_ON_GUEST_SHUTDOWN needs a running guest");
        }
        try (Connection c = f.offline(Map.of("pullMethod", "cbw"))) {
            String pull = "<domainbackup mode='pull'><server transport='unix' socket='" + tmp.resolve("nbd.sock")
                    + "'/><disks><disk name='vda'/><disk name='vdb' backup='no'/></disks></domainbackup>";
            assertThatThrownBy(() -> c.domain().backupStart(pull, null, Set.of()))
                    .isInstanceOfSatisfying(VirtBackupException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_UNSUPPORTED))
                    .hasMessageContaining("pullMethod=fleecing");
        }
        assertThat(tmp.resolve("a.qcow2")).doesNotExist();
    }

    @Test
    void aDaemonOnRecordWhoseOwnerDiedIsStoppedByTheNextOpen() throws Exception {
        // the state a virtbackup process killed in the middle of an operation leaves: its daemon runs, on record
        long pid;
        try (Connection c = f.offline(Map.of("qmpHold", "connection"))) {
            c.domain().checkpointCreateXml(PushBackupTest.checkpointXml("c1"), Set.of());
            DaemonFile mine = f.daemonOnRecord().orElseThrow();
            pid = mine.pid();
            long dead = deadPid();
            new DaemonFile(mine.pid(), mine.socket(), dead, "").write(f.domainDir());
            // and its registration as the daemon's user, under its own (now dead) pid
            try (var users = java.nio.file.Files.list(f.domainDir().resolve("run/users"))) {
                for (Path u : users.toList()) {
                    java.nio.file.Files.move(u, u.resolveSibling(dead + "-killed"));
                }
            }
            try (Connection next = f.offline()) {
                assertThat(QsdFixture.alive(pid))
                        .as("stopped by the next open").isFalse();
                assertThat(f.daemonOnRecord()).isEmpty();
            }
        }
        assertThat(QemuImg.bitmaps(f.vda, false)).as("SIGTERM is a clean exit: bitmaps written")
                .extracting(BitmapInfo::name).containsExactly("c1");
        assertThat(QemuImg.bitmaps(f.vda, false).get(0).flags()).doesNotContain("in-use");
    }

    /** A pid no process has: one of an exited child. */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }
}
