// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Domain;
import org.virtbackup.api.JobState;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * The controlling JVM dies (halted as by {@code kill -9}, through the executor's failpoint) at a chosen step
 * of a 2-disk push start with a checkpoint, or of its end; a new process then ends the job. Afterwards nothing
 * is left in QEMU or on disk, no half-made checkpoint exists, and the next backup works. The step numbers
 * follow the golden plan {@code plans/push-full-2disk-checkpoint}: 0 create file, 1 create job for the file,
 * 4 file node, 5 create job for qcow2, 8 format node, 9–17 the same for vdb, 18 the transaction.
 */
@RequiresQemu
@Timeout(180)
class CrashTest extends DomainTest {

    private DriverChild.Exit child(String failpoint, String... args) throws Exception {
        return DriverChild.runWith(List.of("-Dvirtbackup.failpoint=" + failpoint), args);
    }

    private String[] begin() throws Exception {
        Path xml = Files.writeString(tmp.resolve("b.xml"), PushBackupTest.pushXml(null, tmp.resolve("vda.bak.qcow2"),
                tmp.resolve("vdb.bak.qcow2")));
        Path cp = Files.writeString(tmp.resolve("cp.xml"), PushBackupTest.checkpointXml("cp1"));
        return new String[] {"begin", f.qemu.qmpUri("vm1").toString(), f.state.toString(), xml.toString(), cp.toString()};
    }

    @ParameterizedTest
    @ValueSource(strings = {"start:0", "start:0+", "start:1+", "start:4+", "start:5+", "start:8+", "start:17+",
        "start:18", "start:18+"})
    void aStartThatDiesAnywhereIsCleanedUpByTheNextEnd(String failpoint) throws Exception {
        f.disconnect();
        assertThat(child(failpoint, begin()).status()).as("the child died at the failpoint").isEqualTo(86);

        Domain dom = f.reconnect();
        assertThat(dom.backupEnd(Set.of()).state()).isIn(JobState.CANCELLED, JobState.FAILED);
        boolean committed = failpoint.equals("start:18+");
        assertThat(dom.listAllCheckpoints(Set.<CheckpointListFlag>of())).as("no half-made checkpoint").isEmpty();
        f.assertNoLeftoversInQemu();
        assertThat(f.strayFiles()).as("after %s (transaction applied: %s)", failpoint, committed)
                .containsOnly("b.xml", "cp.xml");
        assertThat(f.bitmaps()).as("no bitmap without metadata").isEmpty();

        // and the domain is fine for the next backup
        Domain again = f.reconnect();
        assertThat(again.backupStart(PushBackupTest.pushXml(null, tmp.resolve("vda.next.qcow2"), tmp.resolve("vdb.next.qcow2")),
                PushBackupTest.checkpointXml("cp1"), Set.of()).awaitCompletion(Duration.ofSeconds(60)).state())
                .isEqualTo(JobState.COMPLETED);
        again.backupEnd(Set.of());
    }

    @ParameterizedTest
    @ValueSource(strings = {"teardown:0+", "teardown:1+", "teardown:2+", "teardown:4+"})
    void anEndThatDiesIsFinishedByTheNextEnd(String failpoint) throws Exception {
        Domain dom = f.domain();
        dom.backupStart(PushBackupTest.pushXml(null, tmp.resolve("vda.bak.qcow2"), tmp.resolve("vdb.bak.qcow2")),
                PushBackupTest.checkpointXml("cp1"), Set.of());
        f.disconnect();
        f.awaitConcludedInQemu("vb-backup-vda", "vb-backup-vdb"); // the child's end is the first to see it
        assertThat(child(failpoint, "end", f.qemu.qmpUri("vm1").toString(), f.state.toString()).status()).isEqualTo(86);

        assertThat(f.reconnect().backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
        f.assertNoLeftoversInQemu();
        assertThat(tmp.resolve("vda.bak.qcow2")).as("a completed backup keeps its targets").exists();
        assertThat(f.domain().checkpointLookupByName("cp1").isCurrent()).isTrue();
    }
}
