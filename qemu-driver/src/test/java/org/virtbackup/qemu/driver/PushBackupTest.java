// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.BackupStartFlag;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.JobEvent;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.testing.RequiresQemu;

/** Push backups on a real QEMU, verified with qemu-img against the point-in-time data. */
@RequiresQemu
@Timeout(120)
class PushBackupTest extends DomainTest {

    static String pushXml(String incremental, Path vdaTarget, Path vdbTarget) {
        return "<domainbackup>" + (incremental == null ? "" : "<incremental>" + incremental + "</incremental>")
                + "<disks><disk name='vda' type='file'><target file='" + vdaTarget + "'/></disk>"
                + "<disk name='vdb' type='file'><target file='" + vdbTarget + "'/></disk></disks></domainbackup>";
    }

    static String checkpointXml(String name) {
        return "<domaincheckpoint><name>" + name + "</name></domaincheckpoint>";
    }

    private JobInfo backup(Domain dom, String xml, String checkpoint) {
        BackupJob job = dom.backupStart(xml, checkpoint == null ? null : checkpointXml(checkpoint), Set.of());
        JobInfo done = job.awaitCompletion(Duration.ofSeconds(60));
        assertThat(done.state()).as("job %s", done).isEqualTo(JobState.COMPLETED);
        JobInfo end = dom.backupEnd(Set.of());
        assertThat(end.state()).isEqualTo(JobState.COMPLETED);
        assertThat(end.success()).contains(true);
        return end;
    }

    @Test
    void fullThenIncrementalChainEqualsTheSourceAtEachPoint() throws Exception {
        Domain dom = f.domain();
        Path vdaFull = tmp.resolve("vda.full.qcow2");
        Path vdbFull = tmp.resolve("vdb.full.qcow2");
        JobInfo full = backup(dom, pushXml(null, vdaFull, vdbFull), "cp1");
        assertThat(full.diskTotal().getAsLong()).isEqualTo(2 * DomainFixture.SIZE);
        f.flush();
        assertThat(f.identical(f.vda, vdaFull)).isTrue();
        assertThat(f.identical(f.vdb, vdbFull)).isTrue();

        f.qemu.guestWrite("vda", 1 << 20, 128 << 10, 0xaa);
        f.qemu.guestWriteZeroes("vdb", 8 << 20, 64 << 10);
        f.qemu.guestDiscard("vdb", 16 << 20, 1 << 20);
        Path vdaInc = tmp.resolve("vda.inc1.qcow2");
        Path vdbInc = tmp.resolve("vdb.inc1.qcow2");
        JobInfo inc = backup(f.reconnect(), pushXml("cp1", vdaInc, vdbInc), "cp2");
        assertThat(inc.diskProcessed().getAsLong()).as("only dirty clusters are copied").isLessThan(4L << 20);
        f.flush();
        // The incremental target names the previous backup as backing file: the chain restores without rebase.
        assertThat(QemuImg.info(vdaInc, true).backingFile()).contains(vdaFull.toString());
        assertThat(f.identical(f.vda, vdaInc)).isTrue();
        assertThat(f.identical(f.vdb, vdbInc)).isTrue();

        f.qemu.guestWrite("vdb", 30 << 20, 64 << 10, 0x33);
        Path vdaInc2 = tmp.resolve("vda.inc2.qcow2");
        Path vdbInc2 = tmp.resolve("vdb.inc2.qcow2");
        backup(f.reconnect(), pushXml("cp2", vdaInc2, vdbInc2), "cp3");
        f.flush();
        assertThat(f.identical(f.vdb, vdbInc2)).as("full <- inc1 <- inc2 equals the source").isTrue();
        assertThat(f.identical(f.vda, vdaInc2)).isTrue();

        Domain d = f.reconnect();
        assertThat(d.listAllCheckpoints(EnumSet.noneOf(CheckpointListFlag.class)))
                .extracting(DomainCheckpoint::name).containsExactly("cp1", "cp2", "cp3");
        assertThat(d.checkpointLookupByName("cp3").getParent()).map(DomainCheckpoint::name).contains("cp2");
        assertThat(d.checkpointLookupByName("cp3").isCurrent()).isTrue();
        f.assertNoLeftoversInQemu();
    }

    @Test
    void aWriteDuringTheFullBackupIsAbsentFromItAndPresentInTheNextIncremental() throws Exception {
        f.flush();
        Path reference = tmp.resolve("vda.at-start.raw");
        QemuImg.snapshotToRaw(f.vda, ImageFormat.QCOW2, reference);
        Domain dom = f.slow(); // slow enough that the write lands while the job copies
        Path vdaFull = tmp.resolve("vda.full.qcow2");
        Path vdbFull = tmp.resolve("vdb.full.qcow2");
        BackupJob job = dom.backupStart(pushXml(null, vdaFull, vdbFull), checkpointXml("cp1"), Set.of());
        f.qemu.guestWrite("vda", 40L << 20, 1 << 20, 0x77);
        assertThat(job.info().state()).isEqualTo(JobState.RUNNING);
        setSpeed("vb-backup-vda", 0);
        setSpeed("vb-backup-vdb", 0);
        assertThat(job.awaitCompletion(Duration.ofSeconds(60)).state()).isEqualTo(JobState.COMPLETED);
        dom.backupEnd(Set.of());
        assertThat(f.identical(reference, vdaFull)).as("the full backup holds the point-in-time data").isTrue();

        Path vdaInc = tmp.resolve("vda.inc.qcow2");
        Path vdbInc = tmp.resolve("vdb.inc.qcow2");
        backup(f.reconnect(), pushXml("cp1", vdaInc, vdbInc), "cp2");
        f.flush();
        assertThat(f.identical(f.vda, vdaInc)).as("the incremental carries the write").isTrue();
        assertThat(f.identical(reference, vdaInc)).isFalse();
    }

    @Test
    void perDiskModesMixInOneJob() throws Exception {
        Domain dom = f.domain();
        backup(dom, pushXml(null, tmp.resolve("vda.full.qcow2"), tmp.resolve("vdb.full.qcow2")), "cp1");
        f.qemu.guestWrite("vda", 3 << 20, 64 << 10, 0x44);
        f.qemu.guestWrite("vdb", 5 << 20, 64 << 10, 0x45);
        Path vdaInc = tmp.resolve("vda.inc.qcow2");
        Path vdbFull2 = tmp.resolve("vdb.full2.qcow2");
        String xml = "<domainbackup><incremental>cp1</incremental><disks>"
                + "<disk name='vda' type='file'><target file='" + vdaInc + "'/></disk>"
                + "<disk name='vdb' type='file' backupmode='full'><target file='" + vdbFull2 + "'/></disk>"
                + "</disks></domainbackup>";
        Domain d = f.reconnect();
        BackupJob job = d.backupStart(xml, checkpointXml("cp2"), Set.of());
        assertThat(d.backupGetXmlDesc())
                .contains("<disk name='vda' backup='yes' type='file' backupmode='incremental' incremental='cp1' index='1'>")
                .contains("<disk name='vdb' backup='yes' type='file' backupmode='full' index='2'>");
        assertThat(job.awaitCompletion(Duration.ofSeconds(60)).state()).isEqualTo(JobState.COMPLETED);
        JobInfo end = d.backupEnd(Set.of());
        assertThat(end.diskProcessed().getAsLong()).as("vda's dirty cluster plus all of vdb")
                .isEqualTo((64L << 10) + DomainFixture.SIZE);
        f.flush();
        assertThat(QemuImg.info(vdaInc, true).backingFile()).isPresent();
        assertThat(QemuImg.info(vdbFull2, true).backingFile()).isEmpty();
        assertThat(f.identical(f.vda, vdaInc)).isTrue();
        assertThat(f.identical(f.vdb, vdbFull2)).isTrue();
    }

    @Test
    void rawTargetsAndReuseExternal() throws Exception {
        Path vdaRaw = tmp.resolve("vda.raw");
        Path vdbPre = tmp.resolve("vdb.pre.qcow2");
        QemuImg.create(vdbPre, ImageFormat.QCOW2, DomainFixture.SIZE);
        String xml = "<domainbackup><disks>"
                + "<disk name='vda' type='file'><target file='" + vdaRaw + "'/><driver type='raw'/></disk>"
                + "<disk name='vdb' type='file'><target file='" + vdbPre + "'/></disk></disks></domainbackup>";
        // vdb's target exists: without REUSE_EXTERNAL that is refused, and nothing is created or deleted
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> f.domain().backupStart(xml, null, Set.of())))
                .hasMessageContaining("store '" + vdbPre + "' for backup exists");
        assertThat(vdaRaw).doesNotExist();
        assertThat(vdbPre).exists();

        QemuImg.create(vdaRaw, ImageFormat.RAW, DomainFixture.SIZE);
        BackupJob job = f.domain().backupStart(xml, null, EnumSet.of(BackupStartFlag.REUSE_EXTERNAL));
        java.util.List<JobEvent> early = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AutoCloseable sub = job.onEvent(early::add)) {
            assertThat(job.awaitCompletion(Duration.ofSeconds(60)).state()).isEqualTo(JobState.COMPLETED);
            assertThat(early).as("completion reaches listeners before awaitCompletion returns")
                    .extracting(JobEvent::type).containsOnlyOnce(JobEvent.Type.JOB_COMPLETED);
        }
        java.util.List<JobEvent> late = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AutoCloseable sub = job.onEvent(late::add)) {
            for (int i = 0; i < 100 && late.isEmpty(); i++) {
                Thread.sleep(50);
            }
            assertThat(late).as("a listener registered after the end hears it once")
                    .extracting(JobEvent::type).containsExactly(JobEvent.Type.JOB_COMPLETED);
        }
        f.domain().backupEnd(Set.of());
        f.flush();
        assertThat(f.identical(f.vda, vdaRaw)).isTrue();
        assertThat(f.identical(f.vdb, vdbPre)).isTrue();
        f.assertNoLeftoversInQemu();
    }

    @Test
    void blockDeviceTargetsRawAndQcow2() throws Exception {
        // Loop devices stand in for LVs/LUNs: type='block' targets are used as they are, never created or deleted.
        String raw = attachLoop(tmp.resolve("loop-raw.img"), DomainFixture.SIZE);
        String qcow2 = attachLoop(tmp.resolve("loop-qcow2.img"), DomainFixture.SIZE + (16L << 20));
        try {
            String xml = "<domainbackup><disks>"
                    + "<disk name='vda' type='block'><target dev='" + raw + "'/><driver type='raw'/></disk>"
                    + "<disk name='vdb' type='block'><target dev='" + qcow2 + "'/></disk></disks></domainbackup>";
            backup(f.domain(), xml, null);
            f.flush();
            assertThat(f.identical(f.vda, Path.of(raw))).isTrue();
            assertThat(QemuImg.info(Path.of(qcow2), true).format()).as("formatted by virtbackup").isEqualTo("qcow2");
            assertThat(f.identical(f.vdb, Path.of(qcow2))).isTrue();
            assertThat(Path.of(raw)).exists();
            f.assertNoLeftoversInQemu();
        } finally {
            detachLoop(raw);
            detachLoop(qcow2);
        }
    }

    private static String attachLoop(Path backingFile, long size) throws Exception {
        try (var file = new java.io.RandomAccessFile(backingFile.toFile(), "rw")) {
            file.setLength(size);
        }
        Process p = new ProcessBuilder("losetup", "-f", "--show", backingFile.toString()).start();
        String dev = new String(p.getInputStream().readAllBytes()).strip();
        assertThat(p.waitFor()).as("losetup (needs root and /dev/loop-control)").isZero();
        return dev;
    }

    private static void detachLoop(String dev) throws Exception {
        new ProcessBuilder("losetup", "-d", dev).inheritIO().start().waitFor();
    }

    private void setSpeed(String job, long bytesPerSecond) {
        f.qemu.control(new QmpCommand("block-job-set-speed",
                JsonNodeFactory.instance.objectNode().put("device", job).put("speed", bytesPerSecond)));
    }
}
