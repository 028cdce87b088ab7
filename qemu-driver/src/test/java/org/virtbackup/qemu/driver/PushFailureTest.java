// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
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
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.testing.RequiresQemu;

/** Every way a push backup can fail, each followed by a check that nothing was left behind. */
@RequiresQemu
@Timeout(120)
class PushFailureTest extends DomainTest {

    private String push(String incremental) {
        return PushBackupTest.pushXml(incremental, tmp.resolve("vda.bak.qcow2"), tmp.resolve("vdb.bak.qcow2"));
    }

    private VirtBackupException startFails(Domain dom, String xml, String cp, Set<BackupStartFlag> flags) {
        return catchThrowableOfType(() -> dom.backupStart(xml, cp, flags), VirtBackupException.class);
    }

    @Test
    void unknownDiskAndUnknownCheckpointAreRefusedBeforeQemuIsTouched() throws Exception {
        VirtBackupException e = startFails(f.domain(), "<domainbackup><disks><disk name='vdz'/></disks></domainbackup>",
                null, Set.of());
        assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_UNSUPPORTED);
        assertThat(e).hasMessage("no disk named 'vdz'");
        e = startFails(f.domain(), push("nosuch"), null, Set.of());
        assertThat(e.code()).isEqualTo(ErrorCode.NO_DOMAIN_CHECKPOINT);
        e = startFails(f.domain(), "<domainbackup><disks><disk name='vda' backup='maybe'/></disks></domainbackup>",
                null, Set.of());
        assertThat(e.code()).isEqualTo(ErrorCode.XML_INVALID_SCHEMA);
        assertThat(f.strayFiles()).isEmpty();
        f.assertNoLeftoversInQemu();
    }

    @Test
    void aTargetTooSmallFailsAtomicallyAndKeepsTheCheckpointOut() throws Exception {
        Path small = tmp.resolve("vda.bak.qcow2");
        QemuImg.create(small, ImageFormat.QCOW2, DomainFixture.SIZE / 2);
        QemuImg.create(tmp.resolve("vdb.bak.qcow2"), ImageFormat.QCOW2, DomainFixture.SIZE);
        VirtBackupException e = startFails(f.domain(), push(null), PushBackupTest.checkpointXml("cp1"),
                EnumSet.of(BackupStartFlag.REUSE_EXTERNAL));
        assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL_ERROR);
        assertThat(e).hasMessageContaining("unable to execute QEMU command 'transaction'");
        assertThat(small).exists(); // the caller's images are never deleted
        assertThat(f.domain().listAllCheckpoints(Set.<CheckpointListFlag>of())).isEmpty();
        f.assertNoLeftoversInQemu();
        f.qemu.close();
        assertThat(QemuImg.bitmaps(f.vda, false)).as("no checkpoint bitmap without metadata").isEmpty();
    }

    @Test
    void noSpaceOnTheTargetMidJobFailsTheJobAndDeletesTheTarget() throws Exception {
        Path small = Files.createDirectory(tmp.resolve("small"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", small.toString())
                .inheritIO().start();
        if (mount.waitFor() != 0) {
            fail("cannot mount a 4 MiB tmpfs for the ENOSPC test (needs root)");
        }
        try {
            String xml = PushBackupTest.pushXml(null, small.resolve("vda.qcow2"), tmp.resolve("vdb.bak.qcow2"));
            BackupJob job = f.domain().backupStart(xml, null, Set.of());
            JobInfo done = job.awaitCompletion(Duration.ofSeconds(60));
            assertThat(done.state()).isEqualTo(JobState.FAILED);
            assertThat(done.errorMessage()).get().asString().contains("No space left on device");
            JobInfo end = f.domain().backupEnd(Set.of());
            assertThat(end.state()).isEqualTo(JobState.FAILED);
            assertThat(end.success()).contains(false);
            assertThat(small.resolve("vda.qcow2")).doesNotExist();
            assertThat(tmp.resolve("vdb.bak.qcow2")).as("a failed backup's targets are deleted").doesNotExist();
            assertThat(f.domain().jobInfo(true).errorMessage()).isEqualTo(end.errorMessage());
            f.assertNoLeftoversInQemu();
        } finally {
            new ProcessBuilder("umount", small.toString()).inheritIO().start().waitFor();
        }
    }

    @Test
    void anIoErrorOnTheTargetMidJobFailsTheJobAndLeavesNothing() throws Exception {
        Path target = tmp.resolve("vda.bak.qcow2");
        BackupJob job = f.slow().backupStart(push(null), null, Set.of());
        f.failWritesUnder("vb-vda-target-format", target, null);
        var json = JsonNodeFactory.instance;
        for (String disk : new String[] {"vda", "vdb"}) {
            f.qemu.control(new QmpCommand("block-job-set-speed",
                    json.objectNode().put("device", "vb-backup-" + disk).put("speed", 0)));
        }
        JobInfo done = job.awaitCompletion(Duration.ofSeconds(60));
        assertThat(done.state()).isEqualTo(JobState.FAILED);
        assertThat(done.errorMessage()).contains("Input/output error");
        JobInfo end = f.domain().backupEnd(Set.of());
        assertThat(end.state()).isEqualTo(JobState.FAILED);
        assertThat(target).doesNotExist();
        assertThat(tmp.resolve("vdb.bak.qcow2")).doesNotExist();
        f.removeFailingNode();
        f.assertNoLeftoversInQemu();
        assertThat(f.strayFiles()).isEmpty();
    }

    @Test
    void qemuKilledMidJobIsCleanedUpFromANewConnection() throws Exception {
        BackupJob job = f.slow().backupStart(push(null), null, Set.of());
        f.qemu.kill();
        assertThat(job.info().state()).isEqualTo(JobState.FAILED);
        // A new process: QEMU is gone, but the job on record can still be ended and its files removed.
        Domain dom = f.reconnect();
        JobInfo end = dom.backupEnd(Set.of());
        assertThat(end.state()).isEqualTo(JobState.FAILED);
        assertThat(end.errorMessage()).hasValueSatisfying(m -> assertThat(m)
                .startsWith("QEMU exited before the backup job ended"));
        assertThat(tmp.resolve("vda.bak.qcow2")).doesNotExist();
        assertThat(tmp.resolve("vdb.bak.qcow2")).doesNotExist();
        assertThat(f.state.resolve("vm1/backup.json")).doesNotExist();
        assertThat(dom.backupEnd(Set.of())).as("ending again is harmless").isEqualTo(end);
    }

    @Test
    void aSecondBackupIsRefusedInThisAndAnotherProcessAndAnotherProcessCanEndTheJob() throws Exception {
        f.slow().backupStart(push(null), PushBackupTest.checkpointXml("cp1"), Set.of());
        VirtBackupException e = startFails(f.domain(), push(null), null, Set.of());
        assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_INVALID);
        assertThat(e).hasMessageContaining("another backup job is already running");

        f.disconnect(); // the other process needs the QMP socket: QEMU serves one client at a time
        Path xml = Files.writeString(tmp.resolve("second.xml"), PushBackupTest.pushXml(null, tmp.resolve("x1.qcow2"),
                tmp.resolve("x2.qcow2")));
        String uri = f.qemu.qmpUri("vm1").toString();
        assertThat(DriverChild.run("begin", uri, f.state.toString(), xml.toString()))
                .startsWith("ERR OPERATION_INVALID another backup job is already running");
        assertThat(DriverChild.run("end", uri, f.state.toString())).isEqualTo("OK CANCELLED");
        assertThat(tmp.resolve("vda.bak.qcow2")).as("a cancelled backup's targets are deleted").doesNotExist();
        assertThat(tmp.resolve("vdb.bak.qcow2")).doesNotExist();
        assertThat(f.reconnect().listAllCheckpoints(Set.of())).as("a cancelled push takes its checkpoint with it "
                + "(libvirt keeps it, and the next incremental would miss what this backup did not save)").isEmpty();
        assertThat(f.bitmaps()).isEmpty();
        f.assertNoLeftoversInQemu();
    }
}
