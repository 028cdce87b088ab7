// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtbackup.api.BackupEndDryRun;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.JobEvent;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * libvirt's job lifecycle on a real QEMU (SPEC §9): a finished push is ended by whoever sees it, its statistics
 * are there at once, a failed or cancelled push takes its checkpoint with it, one failing disk fails the job at
 * once, and the copy speed changes while the job runs.
 */
@RequiresQemu
@Timeout(120)
class PushLifecycleTest extends DomainTest {

    private String push(String incremental, String suffix) {
        return PushBackupTest.pushXml(incremental, tmp.resolve("vda." + suffix), tmp.resolve("vdb." + suffix));
    }

    private List<String> checkpoints(Domain dom) {
        return dom.listAllCheckpoints(Set.<CheckpointListFlag>of()).stream().map(DomainCheckpoint::name).toList();
    }

    @Test
    void aCompletedPushIsEndedByWhoeverLooksAndNeverBlocksTheNextBackup() throws Exception {
        f.domain().backupStart(push(null, "full"), PushBackupTest.checkpointXml("cp1"), Set.of());
        f.disconnect(); // nobody watches while it copies
        f.awaitConcludedInQemu("vb-backup-vda", "vb-backup-vdb");

        Domain other = f.reconnect(); // as another process would
        JobInfo completed = other.jobInfo(true);
        assertThat(completed.state()).as("the statistics are there before any end").isEqualTo(JobState.COMPLETED);
        assertThat(completed.diskTotal()).hasValue(2 * DomainFixture.SIZE);
        assertThat(other.jobInfo(false).state()).as("no job runs any more").isEqualTo(JobState.NONE);
        assertThat(other.currentBackup()).isEmpty();
        assertThat(f.identical(f.vda, tmp.resolve("vda.full"))).isTrue();
        assertThat(f.identical(f.vdb, tmp.resolve("vdb.full"))).isTrue();
        assertThat(other.backupEnd(Set.of())).as("ending stays valid and idempotent").isEqualTo(completed);

        f.qemu.guestWrite("vda", 1 << 20, 4096, 0x5a);
        BackupJob inc = other.backupStart(push("cp1", "inc"), PushBackupTest.checkpointXml("cp2"), Set.of());
        assertThat(inc.awaitCompletion(Duration.ofSeconds(60)).state()).isEqualTo(JobState.COMPLETED);
        assertThat(other.backupStart(push("cp2", "inc2"), null, Set.of()).awaitCompletion(Duration.ofSeconds(60))
                .state()).as("a third backup right after, without any end").isEqualTo(JobState.COMPLETED);
        assertThat(checkpoints(other)).containsExactly("cp1", "cp2");
        f.assertNoLeftoversInQemu();
    }

    @Test
    void oneFailingDiskFailsTheJobAtOnceCancelsTheOtherAndTakesTheCheckpoint() throws Exception {
        Domain dom = f.slow(); // vdb alone would copy for a minute
        BackupJob job = dom.backupStart(push(null, "bak"), PushBackupTest.checkpointXml("cp1"), Set.of());
        List<JobEvent> events = new ArrayList<>();
        try (AutoCloseable l = job.onEvent(events::add)) {
            f.failWritesUnder("vb-vda-target-format", tmp.resolve("vda.bak"), null);
            f.qemu.control(new QmpCommand("block-job-set-speed",
                    JsonNodeFactory.instance.objectNode().put("device", "vb-backup-vda").put("speed", 0)));
            // vdb needs 64 s at 1 MiB/s: only a cancelled copy lets this wait end in time
            JobInfo done = job.awaitCompletion(Duration.ofSeconds(40));
            assertThat(done.state()).isEqualTo(JobState.FAILED);
            assertThat(done.errorMessage()).as("the real failure, not the cancellation it caused")
                    .contains("Input/output error");
        }
        assertThat(events).last().extracting(JobEvent::type).isEqualTo(JobEvent.Type.JOB_COMPLETED);
        assertThat(events.stream().filter(e -> e.type() == JobEvent.Type.JOB_COMPLETED)).hasSize(1);
        assertThat(checkpoints(dom)).as("a failed push takes its checkpoint with it").isEmpty();
        assertThat(f.bitmaps()).as("no checkpoint bitmap is left in QEMU").isEmpty();
        assertThat(tmp.resolve("vda.bak")).doesNotExist();
        assertThat(tmp.resolve("vdb.bak")).doesNotExist();
        assertThat(dom.backupEnd(Set.of()).state()).isEqualTo(JobState.FAILED);
        f.removeFailingNode();
        f.assertNoLeftoversInQemu();
        assertThat(f.strayFiles()).isEmpty();
    }

    @Test
    void theEndPlanIsShownWithoutChangingAnything() throws Exception {
        Domain dom = f.slow();
        dom.backupStart(push(null, "bak"), PushBackupTest.checkpointXml("cp1"), Set.of());
        BackupEndDryRun plan = dom.backupEndDryRun(Set.of());
        assertThat(plan.outcome().state()).as("ended now, it would be cancelled").isEqualTo(JobState.CANCELLED);
        assertThat(plan.qmpPlan()).contains("{\"execute\":\"job-cancel\",\"arguments\":{\"id\":\"vb-backup-vda\"}}",
                "{\"execute\":\"job-dismiss\",\"arguments\":{\"id\":\"vb-backup-vdb\"}}");
        assertThat(plan.qmpPlan()).as("a cancelled push takes its checkpoint").anyMatch(l -> l.contains("\"cp1\"")
                && l.contains("block-dirty-bitmap-remove"));
        assertThat(dom.currentBackup()).as("nothing changed").isPresent();
        assertThat(dom.jobInfo(false).state()).isEqualTo(JobState.RUNNING);
        assertThat(checkpoints(dom)).containsExactly("cp1");
        JobInfo end = dom.backupEnd(Set.of());
        assertThat(end.state()).isEqualTo(JobState.CANCELLED);
        assertThat(checkpoints(dom)).isEmpty();
        assertThat(catchThrowableOfType(() -> dom.backupEndDryRun(Set.of()), VirtBackupException.class).code())
                .isEqualTo(ErrorCode.NO_DOMAIN_BACKUP);
        f.assertNoLeftoversInQemu();
    }

    @Test
    void theSpeedChangesWhileTheJobRunsAndOnlyForAPush() throws Exception {
        Domain dom = f.slow();
        BackupJob job = dom.backupStart(push(null, "bak"), null, Set.of());
        assertThat(catchThrowableOfType(() -> job.setSpeed(-1), VirtBackupException.class).code())
                .isEqualTo(ErrorCode.INVALID_ARG);
        job.setSpeed(8 << 20);
        List<Long> speeds = new ArrayList<>();
        f.qemu.control(QmpCommand.of("query-block-jobs")).forEach(j -> speeds.add(j.path("speed").asLong()));
        assertThat(speeds).as("QEMU's copy jobs").hasSize(2).containsOnly(8L << 20);
        job.setSpeed(0);
        // at the 1 MiB/s it started with, 64 MiB per disk need a minute
        assertThat(job.awaitCompletion(Duration.ofSeconds(40)).state()).isEqualTo(JobState.COMPLETED);
        assertThat(catchThrowableOfType(() -> job.setSpeed(1), VirtBackupException.class).code())
                .as("a job that no longer runs").isEqualTo(ErrorCode.OPERATION_INVALID);
        assertThat(f.identical(f.vda, tmp.resolve("vda.bak"))).isTrue();

        Path socket = tmp.resolve("nbd.sock");
        BackupJob pull = dom.backupStart("<domainbackup mode='pull'><server transport='unix' socket='" + socket
                + "'/><disks><disk name='vda' type='file'><scratch file='" + tmp.resolve("vda.scratch")
                + "'/></disk><disk name='vdb' backup='no'/></disks></domainbackup>", null, Set.of());
        assertThat(catchThrowableOfType(() -> pull.setSpeed(1 << 20), VirtBackupException.class).code())
                .isEqualTo(ErrorCode.OPERATION_INVALID);
        assertThat(dom.backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
        f.assertNoLeftoversInQemu();
    }

    @Test
    void anUnknownDriverOptionIsRefused() {
        VirtBackupException e = catchThrowableOfType(() -> Connections.open(f.qemu.qmpUri("vm1"),
                Map.of("stateDir", f.state.toString(), "backupSpeeed", "1")), VirtBackupException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARG);
        assertThat(e).hasMessageContaining("unknown option 'backupSpeeed'");
        e = catchThrowableOfType(() -> Connections.open(f.qemu.qmpUri("vm1"),
                Map.of("stateDir", f.state.toString(), "copyRange", "yes")), VirtBackupException.class);
        assertThat(e).hasMessageContaining("copyRange must be 'true' or 'false'");
    }
}
