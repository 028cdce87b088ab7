// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.BackupStartFlag;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.CheckpointXmlFlag;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.JobEvent;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.libvirt.testing.EmbeddedVm;
import org.virtbackup.libvirt.testing.RequiresLibvirt;
import org.virtbackup.libvirt.testing.TestDomain;
import org.virtbackup.libvirt.testing.Tools;

/**
 * Push backups through libvirt's embedded QEMU driver: a full backup of two disks with a checkpoint, then an
 * incremental one from it; the data is checked with {@code qemu-img compare} against the disks (nothing but the
 * test writes them).
 */
@RequiresLibvirt
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedPushTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static EmbeddedVm opened;
    static TestDomain vm;
    static Domain dom;

    @BeforeAll
    static void start() throws Exception {
        opened = EmbeddedVm.start("push1", dir);
        vm = opened.vm();
        dom = opened.domain();
    }

    @AfterAll
    static void stop() throws Exception {
        if (opened != null) {
            opened.close();
        }
    }

    @Test
    @Order(1)
    void fullPushWithCheckpointCopiesEveryDiskAndCompletesWithTheEvent() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            String backup = "<domainbackup>\n  <disks>\n"
                    + "    <disk name='vda' type='file'><target file='" + dir.resolve("vda.full") + "'/></disk>\n"
                    + "    <disk name='vdb' type='file'><target file='" + dir.resolve("vdb.full") + "'/></disk>\n"
                    + "  </disks>\n</domainbackup>\n";
            String cp = "<domaincheckpoint><name>cp1</name></domaincheckpoint>";
            BackupJob job = dom.backupStart(backup, cp, Set.of());
            assertThat(job.mode()).isEqualTo(BackupMode.PUSH);
            JobInfo done = job.awaitCompletion(TIMEOUT);
            assertThat(done.state()).isEqualTo(JobState.COMPLETED);
            assertThat(done.diskTotal()).hasValue(2L * 16 * 1024 * 1024);
            assertThat(done.diskProcessed()).isEqualTo(done.diskTotal());
            assertThat(Tools.sameData(vm.disk("vda"), dir.resolve("vda.full"))).isTrue();
            assertThat(Tools.sameData(vm.disk("vdb"), dir.resolve("vdb.full"))).isTrue();
            assertThat(dom.listAllCheckpoints(Set.of())).extracting(DomainCheckpoint::name).containsExactly("cp1");
            assertThat(dom.jobInfo(false).state()).isEqualTo(JobState.NONE);
            assertThat(dom.jobInfo(true).toTypedParameters()).containsEntry("success", true)
                    .containsEntry("operation", JobInfo.OPERATION_BACKUP);
            // libvirt ended the push by itself; backupEnd after it returns the same statistics
            assertThat(dom.backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
        });
    }

    @Test
    @Order(2)
    void incrementalPushHoldsExactlyTheWritesSinceTheCheckpoint() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            vm.guestWrite(0, 0x5a, 9);
            vm.guestWrite(1, 0x6b, 3);
            DomainCheckpoint cp1 = dom.checkpointLookupByName("cp1");
            assertThat(cp1.getXmlDesc(Set.of(CheckpointXmlFlag.NO_DOMAIN, CheckpointXmlFlag.SIZE)))
                    .contains("<disk name='vda' checkpoint='bitmap' bitmap='cp1' size='1048576'/>");
            String backup = "<domainbackup>\n  <incremental>cp1</incremental>\n  <disks>\n"
                    + "    <disk name='vda' type='file'><target file='" + dir.resolve("vda.inc") + "'/></disk>\n"
                    + "    <disk name='vdb' type='file'><target file='" + dir.resolve("vdb.inc") + "'/></disk>\n"
                    + "  </disks>\n</domainbackup>\n";
            BackupJob job = dom.backupStart(backup, "<domaincheckpoint><name>cp2</name></domaincheckpoint>", Set.of());
            BlockingQueue<JobEvent> events = new LinkedBlockingQueue<>();
            try (AutoCloseable sub = job.onEvent(events::add)) {
                JobInfo done = job.awaitCompletion(TIMEOUT);
                assertThat(done.state()).isEqualTo(JobState.COMPLETED);
                // libvirt's JOB_COMPLETED domain event, bound with JNA, reaches the job's listener
                JobEvent event = events.poll(10, TimeUnit.SECONDS);
                assertThat(event).isNotNull();
                assertThat(event.type()).isEqualTo(JobEvent.Type.JOB_COMPLETED);
                assertThat(event.info().state()).isEqualTo(JobState.COMPLETED);
                assertThat(event.info().diskTotal()).isPresent();
            }
            for (String dev : List.of("vda", "vdb")) {
                // libvirt's incremental targets have no backing file: rebase onto the full one to restore
                Tools.check(List.of("qemu-img", "rebase", "-u", "-b", dir.resolve(dev + ".full").toString(),
                        "-F", "qcow2", dir.resolve(dev + ".inc").toString()));
                assertThat(Tools.sameData(vm.disk(dev), dir.resolve(dev + ".inc"))).as(dev).isTrue();
                assertThat(Tools.sameData(vm.disk(dev), dir.resolve(dev + ".full"))).as(dev).isFalse();
            }
            DomainCheckpoint cp2 = dom.checkpointLookupByName("cp2");
            assertThat(cp2.getParent()).map(DomainCheckpoint::name).hasValue("cp1");
            assertThat(cp2.isCurrent()).isTrue();
            assertThat(cp1.isCurrent()).isFalse();
            assertThat(dom.listAllCheckpoints(Set.of(CheckpointListFlag.TOPOLOGICAL)))
                    .extracting(DomainCheckpoint::name).containsExactly("cp1", "cp2");
        });
    }


    @Test
    @Order(3)
    void reuseExternalWritesIntoTheCallersImage() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            Path target = dir.resolve("vda.reuse");
            Tools.check(List.of("qemu-img", "create", "-q", "-f", "qcow2", target.toString(), "16M"));
            String backup = "<domainbackup><disks><disk name='vda' type='file'><target file='" + target
                    + "'/></disk><disk name='vdb' backup='no'/></disks></domainbackup>";
            JobInfo done = dom.backupStart(backup, null, Set.of(BackupStartFlag.REUSE_EXTERNAL))
                    .awaitCompletion(TIMEOUT);
            assertThat(done.state()).isEqualTo(JobState.COMPLETED);
            assertThat(done.diskTotal()).hasValue(16L << 20);
            assertThat(Tools.sameData(vm.disk("vda"), target)).isTrue();
        });
    }
}
