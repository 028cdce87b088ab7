// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;
import static org.virtbackup.qemu.driver.CheckpointQemu.bitmaps;
import static org.virtbackup.qemu.driver.CheckpointQemu.both;
import static org.virtbackup.qemu.driver.CheckpointQemu.create;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.CheckpointDeleteFlag;
import org.virtbackup.api.CheckpointDiskState;
import org.virtbackup.api.CheckpointHealth;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.JobState;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.testing.RequiresQemu;

/** Reconciliation and repairs on a real QEMU: orphans, missing bitmaps, bitmaps left inconsistent by SIGKILL. */
@RequiresQemu
@Timeout(180)
class CheckpointHealthTest extends DomainTest {

    private Path metadata(String name) {
        return f.state.resolve("vm1").resolve("checkpoints").resolve(name + ".xml");
    }

    @Test
    void orphanAfterMetadataRemovedByHandIsRefusedNamedAdoptedAndRemoved() throws Exception {
        Domain dom = f.domain();
        create(dom, "c1");
        Files.delete(metadata("c1"));
        CheckpointHealth h = f.reconnect().checkpointHealth();
        assertThat(h.disks()).isEmpty();
        assertThat(h.orphans()).extracting(CheckpointHealth.Orphan::disk, CheckpointHealth.Orphan::bitmap,
                CheckpointHealth.Orphan::usable).containsExactly(tuple("vda", "c1", true), tuple("vdb", "c1", true));

        // a checkpoint of the orphan's name is refused before QEMU, naming the orphan and the repairs
        VirtBackupException e = catchThrowableOfType(() -> create(f.domain(), "c1"), VirtBackupException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_INVALID);
        assertThat(e).hasMessageContaining("bitmap 'c1' already exists on disk 'vda' but no checkpoint metadata claims it")
                .hasMessageContaining("checkpoint-remove-bitmap c1").hasMessageContaining("checkpoint-adopt-bitmap c1");

        // so is a backup creating a checkpoint of that name, before anything is created
        VirtBackupException b = catchThrowableOfType(() -> f.domain().backupStart(PushBackupTest.pushXml(null,
                tmp.resolve("a.qcow2"), tmp.resolve("b.qcow2")), PushBackupTest.checkpointXml("c1"), Set.of()),
                VirtBackupException.class);
        assertThat(b).hasMessageContaining("orphan bitmap").hasMessageContaining("checkpoint-remove-bitmap c1");
        assertThat(tmp.resolve("a.qcow2")).doesNotExist();

        DomainCheckpoint adopted = f.domain().checkpointAdoptBitmap("c1");
        assertThat(adopted.getParent()).isEmpty();
        assertThat(adopted.isCurrent()).isTrue();
        assertThat(adopted.getXmlDesc(Set.of())).contains("<disk name='vda' checkpoint='bitmap' bitmap='c1'/>")
                .contains("<disk name='vdb' checkpoint='bitmap' bitmap='c1'/>").contains("<domain type='kvm'>");
        assertThat(f.domain().checkpointHealth().ok()).isTrue();
        VirtBackupException again = catchThrowableOfType(() -> f.domain().checkpointAdoptBitmap("c1"), VirtBackupException.class);
        assertThat(again).hasMessage("domain moment c1 already exists");
        VirtBackupException claimed = catchThrowableOfType(() -> f.domain().checkpointRemoveBitmap("c1"), VirtBackupException.class);
        assertThat(claimed.code()).isEqualTo(ErrorCode.OPERATION_INVALID);
        assertThat(claimed).hasMessageContaining("belongs to checkpoint(s) [c1]");

        adopted.delete(EnumSet.of(CheckpointDeleteFlag.METADATA_ONLY));
        f.domain().checkpointRemoveBitmap("c1");
        assertThat(bitmaps(f.qemu)).isEqualTo(both());
        assertThat(f.domain().checkpointHealth()).isEqualTo(new CheckpointHealth(List.of(), List.of()));
        f.assertNoLeftoversInQemu();
    }

    @Test
    void missingBitmapIsReportedAndRepairedAsTheReportSays() {
        Domain dom = f.domain();
        create(dom, "c1");
        create(dom, "c2");
        CheckpointQemu.removeBehindOurBack(f.qemu, "vda", "c1");
        CheckpointHealth h = f.reconnect().checkpointHealth();
        assertThat(h.disks()).extracting(CheckpointHealth.DiskEntry::checkpoint, CheckpointHealth.DiskEntry::disk,
                CheckpointHealth.DiskEntry::state).containsExactly(
                tuple("c1", "vda", CheckpointDiskState.MISSING), tuple("c1", "vdb", CheckpointDiskState.OK),
                tuple("c2", "vda", CheckpointDiskState.OK), tuple("c2", "vdb", CheckpointDiskState.OK));
        assertThat(h.problems().get(0).repair()).contains("'checkpoint-delete c1 --metadata'")
                .contains("'checkpoint-remove-bitmap c1'");
        f.domain().checkpointLookupByName("c1").delete(EnumSet.of(CheckpointDeleteFlag.METADATA_ONLY));
        assertThat(f.domain().checkpointHealth().orphans()).extracting(CheckpointHealth.Orphan::disk,
                CheckpointHealth.Orphan::bitmap).containsExactly(tuple("vdb", "c1"));
        f.domain().checkpointRemoveBitmap("c1");
        assertThat(f.domain().checkpointHealth().ok()).isTrue();
        assertThat(bitmaps(f.qemu)).isEqualTo(both("c2"));
        assertThat(f.domain().checkpointLookupByName("c2").getParent()).isEmpty();
    }

    private EmbeddedQemu restart(String workDir) {
        return EmbeddedQemu.builder().workDir(tmp.resolve(workDir)).disk(f.vda, "vda").disk(f.vdb, "vdb").start();
    }

    /** Opens a connection and returns what the driver logged meanwhile (slf4j-simple writes to System.err). */
    static String openCapturingLog(EmbeddedQemu q, Path state, Connection[] conn) {
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            conn[0] = Connections.open(q.qmpUri("vm1"), Map.of("stateDir", state.toString()));
        } finally {
            System.setErr(saved);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    /**
     * c1 is stored in the images by a clean shutdown, then loaded by a second QEMU that is SIGKILLed: c1 comes
     * back inconsistent. c2 is created in that second QEMU and never stored: it is missing after the crash
     * (QEMU writes persistent bitmaps on close only, qemu-7.2-qmp-notes.md §8.13).
     */
    @Test
    void afterSigkillBitmapsAreInconsistentOrMissingReportedAtOpenAndAFullBackupStillWorks() {
        create(f.domain(), "c1");
        f.disconnect();
        f.qemu.close();
        try (EmbeddedQemu q2 = restart("qemu2")) {
            try (Connection c = Connections.open(q2.qmpUri("vm1"), Map.of("stateDir", f.state.toString()))) {
                assertThat(c.domain().checkpointHealth().ok()).isTrue();
                create(c.domain(), "c2");
            }
            q2.kill();
        }
        try (EmbeddedQemu q3 = restart("qemu3")) {
            Connection[] opened = new Connection[1];
            String log = openCapturingLog(q3, f.state, opened);
            try (Connection conn = opened[0]) {
                assertThat(log).contains("WARN").contains("domain 'vm1': 4 checkpoint disk(s) not usable, 0 orphan")
                        .contains("checkpoint 'c1' disk 'vda': inconsistent").contains("checkpoint 'c2' disk 'vdb': missing");
                Domain dom = conn.domain();
                CheckpointHealth h = dom.checkpointHealth();
                assertThat(h.disks()).extracting(CheckpointHealth.DiskEntry::checkpoint, CheckpointHealth.DiskEntry::state)
                        .containsExactly(tuple("c1", CheckpointDiskState.INCONSISTENT),
                                tuple("c1", CheckpointDiskState.INCONSISTENT), tuple("c2", CheckpointDiskState.MISSING),
                                tuple("c2", CheckpointDiskState.MISSING));
                assertThat(h.problems().get(0).repair()).startsWith("delete the checkpoint and its bitmaps: 'checkpoint-delete c1'");
                assertThat(h.problems().get(2).repair()).startsWith("delete the checkpoint's metadata: 'checkpoint-delete c2 --metadata'");

                // stale metadata does not block a new full backup with a new checkpoint
                Path vdaFull = tmp.resolve("vda.full.qcow2");
                Path vdbFull = tmp.resolve("vdb.full.qcow2");
                BackupJob job = dom.backupStart(PushBackupTest.pushXml(null, vdaFull, vdbFull),
                        PushBackupTest.checkpointXml("c3"), Set.of());
                assertThat(job.awaitCompletion(Duration.ofSeconds(60)).state()).isEqualTo(JobState.COMPLETED);
                dom.backupEnd(Set.of());
                assertThat(dom.checkpointLookupByName("c3").getParent()).map(DomainCheckpoint::name).contains("c2");

                // the report's repairs: plain delete of c1 (inconsistent bitmaps go from every layer), c2's metadata
                dom.checkpointLookupByName("c1").delete(Set.of());
                dom.checkpointLookupByName("c2").delete(EnumSet.of(CheckpointDeleteFlag.METADATA_ONLY));
                assertThat(dom.listAllCheckpoints(EnumSet.noneOf(CheckpointListFlag.class)))
                        .extracting(DomainCheckpoint::name).containsExactly("c3");
                assertThat(dom.checkpointHealth().ok()).isTrue();
                assertThat(bitmaps(q3)).isEqualTo(both("c3"));
            }
        }
    }
}
