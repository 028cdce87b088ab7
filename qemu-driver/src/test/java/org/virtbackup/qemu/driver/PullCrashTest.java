// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.virtbackup.api.BackupEndFlag;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.JobState;
import org.virtbackup.qemu.launch.QemuDisk;
import org.virtbackup.qemu.plan.Qmp;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * The controlling JVM dies (halted as by {@code kill -9}) inside an incremental pull start (from cp1, creating
 * cp2, over a unix socket), classic fleecing or {@code pullMethod=cbw}, or inside its end; a new process ends
 * the job. Afterwards nothing is left: no node, job, export, temporary bitmap, NBD server, scratch file or
 * socket file; the guest runs on its own nodes; the checkpoints agree with the bitmaps; and the next pull is
 * read correctly with nbdcopy.
 *
 * <p>Fleecing start steps: 0–5 vda scratch (0 file, 1 storage node, 2 create job, 5 format node), 6–11 vdb,
 * 12 nbd-server-start, 13 socket 0600, 14 the transaction (cp2, temporary bitmaps, fleecing jobs), 15–16
 * exports; then {@code checkpoint-create:0/1} before cp2's metadata and before it becomes current. The cbw
 * start: 0–13 the same, 14 pause, 15 transaction, 16–18 vda's filter, drive switch, snapshot-access, 19–21
 * vdb's, 22 resume, 23–24 exports. Ends: fleecing 0–1 export-del, 2 nbd-server-stop, 3… jobs and scratch; cbw
 * 0–1 export-del, 2 snapshot-access, 3 drive back, 4… filter and scratch.
 */
@RequiresQemu
@Timeout(60)
class PullCrashTest {

    @TempDir
    static Path tmp;

    static DomainFixture f;

    @BeforeAll
    static void startQemu() {
        f = new DomainFixture(tmp, 8L << 20);
    }

    @AfterAll
    static void stopQemu() {
        f.close();
    }

    private static Path socket() {
        return tmp.resolve("nbd.sock");
    }

    private static Map<String, String> options(String method) {
        return method.equals("cbw") ? Map.of("pullMethod", "cbw") : Map.of();
    }

    /** A fresh domain with checkpoint cp1 and a write after it; a running guest for cbw (it pauses and resumes it). */
    private static void prepare(String method) throws Exception {
        CrashChecks.reset(f);
        CheckpointQemu.create(f.domain(), "cp1");
        f.qemu.guestWrite("vda", 1 << 20, 64 << 10, 0x31);
        f.qemu.guestWrite("vdb", 6 << 20, 64 << 10, 0x32);
        f.disconnect();
        if (method.equals("cbw")) {
            f.qemu.control(Qmp.cont());
        }
    }

    private static String incrementalPull() {
        return PullChecks.pullXml("cp1", PullChecks.unixServer(socket()), tmp);
    }

    @ParameterizedTest(name = "{0} start dies at {1}")
    @CsvSource({"fleecing,start:0", "fleecing,start:1+", "fleecing,start:5+", "fleecing,start:12+",
        "fleecing,start:14+", "fleecing,start:16+", "fleecing,checkpoint-create:1",
        "cbw,start:14+", "cbw,start:15+", "cbw,start:17+", "cbw,start:21+", "cbw,start:22+", "cbw,start:24+"})
    void aPullStartThatDiesIsEndedByAnotherProcessAndLeavesNothing(String method, String failpoint) throws Exception {
        prepare(method);
        Path xml = Files.writeString(tmp.resolve("b.xml"), incrementalPull());
        Path cp = Files.writeString(tmp.resolve("cp.xml"), PushBackupTest.checkpointXml("cp2"));
        String option = method.equals("cbw") ? "pullMethod=cbw" : "";
        CrashChecks.dieAt(failpoint, List.of("-Dvirtbackup.test.driverOptions=" + option), "begin",
                f.qemu.qmpUri("vm1").toString(), f.state.toString(), xml.toString(), cp.toString());

        assertThat(f.reconnect().backupEnd(Set.of()).state()).as("a start that never finished")
                .isEqualTo(JobState.CANCELLED);
        assertNothingLeft(method);
        assertThat(checkpoints()).as("no checkpoint of a start that never finished").containsExactly("cp1");
        assertThat(f.domain().checkpointLookupByName("cp1").isCurrent()).isTrue();
        nextPullIsReadCorrectly(method);
    }

    @ParameterizedTest(name = "{0} end dies at {1}")
    @CsvSource({"fleecing,teardown:0+", "fleecing,teardown:2+", "fleecing,teardown:4+", "cbw,teardown:0+",
        "cbw,teardown:3+"})
    void aPullEndThatDiesIsFinishedByAnotherProcess(String method, String failpoint) throws Exception {
        prepare(method);
        f.reconnect(options(method)).backupStart(incrementalPull(), PushBackupTest.checkpointXml("cp2"), Set.of());
        f.disconnect();
        CrashChecks.dieAt(failpoint, List.of(), "end", f.qemu.qmpUri("vm1").toString(), f.state.toString());

        assertThat(f.reconnect().backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
        assertNothingLeft(method);
        assertThat(checkpoints()).containsExactly("cp1", "cp2");
        assertThat(f.domain().checkpointLookupByName("cp2").isCurrent()).isTrue();
        nextPullIsReadCorrectly(method);
    }

    /**
     * An end with {@code DISCARD_CHECKPOINT} dies right after removing cp2's bitmaps (teardown step 15, the last);
     * the end that finishes it is not given the flag, yet must remove cp2's metadata too, or cp2 would stay without
     * its bitmaps.
     */
    @Test
    void aDiscardingEndThatDiesIsFinishedAsADiscardingEnd() throws Exception {
        prepare("fleecing");
        f.reconnect().backupStart(incrementalPull(), PushBackupTest.checkpointXml("cp2"), Set.of());
        f.disconnect();
        CrashChecks.dieAt("teardown:15+", List.of(), "end", f.qemu.qmpUri("vm1").toString(), f.state.toString(),
                BackupEndFlag.DISCARD_CHECKPOINT.name());

        assertThat(f.reconnect().backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
        assertNothingLeft("fleecing");
        assertThat(checkpoints()).as("cp2 went with its bitmaps").containsExactly("cp1");
        assertThat(f.domain().checkpointLookupByName("cp1").isCurrent()).isTrue();
        nextPullIsReadCorrectly("fleecing");
    }

    private static List<String> checkpoints() {
        return f.domain().listAllCheckpoints(Set.<CheckpointListFlag>of()).stream().map(DomainCheckpoint::name)
                .sorted().toList();
    }

    /**
     * No node, job, export or temporary bitmap; the NBD server stopped and its socket gone; no scratch file; the
     * guest on its own nodes, and running again if the start paused it; the checkpoints agree with the bitmaps.
     */
    private static void assertNothingLeft(String method) throws Exception {
        Domain dom = f.reconnect();
        assertThat(CrashChecks.assertDifferencesAreReported(f, dom).ok()).as("checkpoint health").isTrue();
        CrashChecks.assertStateDirectoryClean(f);
        f.assertNoLeftoversInQemu();
        PullChecks.assertNbdServerStopped(f);
        assertThat(f.strayFiles()).as("scratch files and the socket are gone").isSubsetOf("b.xml", "cp.xml");
        for (QemuDisk d : f.qemu.disks()) {
            assertThat(f.qemu.control(Qmp.qomGet("/machine/peripheral/" + d.deviceId() + "/virtio-backend", "drive"))
                    .asText()).as("the guest's drive is its own node").isEqualTo(d.formatNode());
        }
        if (method.equals("cbw")) {
            assertThat(f.qemu.control(Qmp.queryStatus()).path("running").asBoolean()).as("the guest runs").isTrue();
            f.qemu.control(Qmp.stop()); // TCG without a guest OS only burns CPU
        }
    }

    /** A full pull with a new checkpoint; nbdcopy of both exports equals the disks at its start. */
    private static void nextPullIsReadCorrectly(String method) throws Exception {
        Path vdaRef = PullChecks.reference(f, f.vda, tmp.resolve("vda.ref.raw"));
        Path vdbRef = PullChecks.reference(f, f.vdb, tmp.resolve("vdb.ref.raw"));
        Domain dom = f.reconnect(options(method));
        dom.backupStart(PullChecks.pullXml(null, PullChecks.unixServer(socket()), tmp),
                PushBackupTest.checkpointXml("cp9"), Set.of());
        f.qemu.guestWrite("vda", 0, 64 << 10, 0x77); // after the point in time: not in the copy
        Path vdaCopy = tmp.resolve("vda.pull.raw");
        Path vdbCopy = tmp.resolve("vdb.pull.raw");
        NbdClients.nbdcopy("nbd+unix:///vda?socket=" + socket(), vdaCopy).ok();
        NbdClients.nbdcopy("nbd+unix:///vdb?socket=" + socket(), vdbCopy).ok();
        assertThat(dom.backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
        assertThat(Files.mismatch(vdaCopy, vdaRef)).as("vda copy equals the point in time").isEqualTo(-1);
        assertThat(Files.mismatch(vdbCopy, vdbRef)).as("vdb copy equals the point in time").isEqualTo(-1);
        assertThat(f.domain().checkpointLookupByName("cp9").isCurrent()).isTrue();
        assertThat(f.domain().checkpointHealth().ok()).isTrue();
        f.assertNoLeftoversInQemu();
    }
}
