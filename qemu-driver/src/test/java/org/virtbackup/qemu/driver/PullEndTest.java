// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtbackup.api.BackupEndFlag;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.testing.RequiresQemu;

/** Ending pull backups: connected clients, other connections and processes, idempotence, discarding. */
@RequiresQemu
@Timeout(120)
class PullEndTest extends DomainTest {

    @Test
    void endFromAnotherProcessDropsAConnectedClientAndLeavesNothing() throws Exception {
        Path socket = tmp.resolve("nbd.sock");
        f.domain().backupStart(PullChecks.pullXml(null, PullChecks.unixServer(socket), tmp),
                PushBackupTest.checkpointXml("cp1"), Set.of());
        // nbdcopy to a pipe nobody reads: it connects, reads until the pipe is full, then holds its connections
        Process client = new ProcessBuilder("nbdcopy", "nbd+unix:///vda?socket=" + socket, "-")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            InputStream out = client.getInputStream();
            assertThat(out.read()).as("the client is reading").isNotNegative();
            f.disconnect(); // the starting connection is gone, as when the CLI that began the backup exits

            String uri = f.qemu.qmpUri("vm1").toString();
            assertThat(DriverChild.run("end", uri, f.state.toString())).isEqualTo("OK COMPLETED");

            CompletableFuture<Long> drained = CompletableFuture.supplyAsync(() -> drain(out));
            assertThat(client.waitFor(30, TimeUnit.SECONDS)).as("the client was disconnected").isTrue();
            assertThat(client.exitValue()).as("the client saw its connection dropped").isNotZero();
            assertThat(drained.get(30, TimeUnit.SECONDS)).isLessThan(DomainFixture.SIZE);
        } finally {
            client.destroyForcibly();
        }
        Domain dom = f.reconnect();
        JobInfo again = dom.backupEnd(Set.of());
        assertThat(again.state()).as("an ended pull is completed, and ending again says so").isEqualTo(JobState.COMPLETED);
        assertThat(again.success()).contains(true);
        assertThat(again.errorMessage()).isEmpty();
        assertThat(dom.jobInfo(true).state()).isEqualTo(JobState.COMPLETED);
        assertThat(dom.checkpointLookupByName("cp1").isCurrent()).as("the checkpoint stays").isTrue();
        assertThat(tmp.resolve("vda.scratch.qcow2")).doesNotExist();
        assertThat(tmp.resolve("vdb.scratch.qcow2")).doesNotExist();
        assertThat(socket).as("QEMU removes its listening socket").doesNotExist();
        PullChecks.assertNbdServerStopped(f);
        f.assertNoLeftoversInQemu();
        assertThat(f.strayFiles()).isEmpty();
    }

    /** nbdcopy of vda to a pipe: it connects and reads until the pipe is full, then holds its connections. */
    private static Process holdingClient(Path socket) throws Exception {
        Process client = new ProcessBuilder("nbdcopy", "nbd+unix:///vda?socket=" + socket, "-")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(client.getInputStream().read()).as("the client is reading").isNotNegative();
        return client;
    }

    @Test
    void aClientStillConnectedGetsTheGracePeriodThenIsDropped() throws Exception {
        Path socket = tmp.resolve("nbd.sock");
        f.domain().backupStart(PullChecks.pullXml(null, PullChecks.unixServer(socket), tmp), null, Set.of());
        Process client = holdingClient(socket);
        try {
            Domain dom = f.reconnect(Map.of("exportGraceSeconds", "2"));
            long t0 = System.nanoTime();
            assertThat(dom.backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).as("the end waited the grace period, then dropped the client").isBetween(2000L, 6000L);
            CompletableFuture<Long> drained = CompletableFuture.supplyAsync(() -> drain(client.getInputStream()));
            assertThat(client.waitFor(30, TimeUnit.SECONDS)).as("the client was disconnected").isTrue();
            assertThat(client.exitValue()).isNotZero();
            assertThat(drained.get(30, TimeUnit.SECONDS)).isLessThan(DomainFixture.SIZE);
        } finally {
            client.destroyForcibly();
        }
        PullChecks.assertNbdServerStopped(f);
        f.assertNoLeftoversInQemu();
        assertThat(f.strayFiles()).isEmpty();
    }

    @Test
    void aClientThatFinishesWithinTheGraceReadsEverythingAndTheEndFollowsAtOnce() throws Exception {
        Path socket = tmp.resolve("nbd.sock");
        f.domain().backupStart(PullChecks.pullXml(null, PullChecks.unixServer(socket), tmp), null, Set.of());
        Process client = holdingClient(socket);
        try {
            Domain dom = f.reconnect(Map.of("exportGraceSeconds", "60"));
            long t0 = System.nanoTime();
            CompletableFuture<JobInfo> end = CompletableFuture.supplyAsync(() -> dom.backupEnd(Set.of()));
            Thread.sleep(1000);
            assertThat(end).as("the end waits for the connected client").isNotDone();
            long read = drain(client.getInputStream()); // the client goes on, reads the rest and disconnects
            assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(client.exitValue()).as("the client was not dropped").isZero();
            assertThat(read).as("it read the whole disk").isEqualTo(DomainFixture.SIZE);
            assertThat(end.get(30, TimeUnit.SECONDS).state()).isEqualTo(JobState.COMPLETED);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).as("the end followed the client, not the 60 s grace period").isLessThan(20_000L);
        } finally {
            client.destroyForcibly();
        }
        PullChecks.assertNbdServerStopped(f);
        f.assertNoLeftoversInQemu();
        assertThat(f.strayFiles()).isEmpty();
    }

    @Test
    void withoutClientsTheEndDoesNotWait() throws Exception {
        Path socket = tmp.resolve("nbd.sock");
        f.domain().backupStart(PullChecks.pullXml(null, PullChecks.unixServer(socket), tmp), null, Set.of());
        NbdClients.nbdinfo("nbd+unix:///vda?socket=" + socket).ok(); // a client that came and went
        Domain dom = f.reconnect(Map.of("exportGraceSeconds", "60"));
        long t0 = System.nanoTime();
        assertThat(dom.backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).as("no client: no wait").isLessThan(3000L);
        PullChecks.assertNbdServerStopped(f);
        f.assertNoLeftoversInQemu();
        assertThat(f.strayFiles()).isEmpty();
    }

    @Test
    void discardCheckpointDeletesTheCheckpointThisJobCreated() throws Exception {
        Domain dom = f.domain();
        dom.checkpointCreateXml(PushBackupTest.checkpointXml("cp0"), Set.of());
        f.qemu.guestWrite("vda", 2 << 20, 64 << 10, 0x44);
        Path socket = tmp.resolve("nbd.sock");
        dom.backupStart(PullChecks.pullXml("cp0", PullChecks.unixServer(socket), tmp),
                PushBackupTest.checkpointXml("cp1"), Set.of());
        assertThat(bitmaps("vda-format")).containsExactlyInAnyOrder("cp0", "cp1");
        // the consumer failed: discard cp1, so that the next incremental since cp0 still covers the write
        JobInfo end = f.reconnect().backupEnd(EnumSet.of(BackupEndFlag.DISCARD_CHECKPOINT));
        assertThat(end.state()).isEqualTo(JobState.COMPLETED);
        dom = f.reconnect();
        assertThat(dom.listAllCheckpoints(EnumSet.noneOf(CheckpointListFlag.class)))
                .extracting(DomainCheckpoint::name).containsExactly("cp0");
        assertThat(dom.checkpointLookupByName("cp0").isCurrent()).isTrue();
        assertThat(bitmaps("vda-format")).containsExactly("cp0");
        assertThat(bitmaps("vdb-format")).containsExactly("cp0");
        assertThat(f.state.resolve("vm1/checkpoints/cp1.xml")).doesNotExist();
        PullChecks.assertNbdServerStopped(f);
        f.assertNoLeftoversInQemu();
        assertThat(f.strayFiles()).isEmpty();
    }

    /** The named bitmaps of a node (a backup job adds an unnamed one of its own). */
    private List<String> bitmaps(String node) {
        JsonNode all = f.qemu.control(new QmpCommand("query-named-block-nodes",
                JsonNodeFactory.instance.objectNode().put("flat", true)));
        List<String> names = new ArrayList<>();
        for (JsonNode n : all) {
            if (n.path("node-name").asText().equals(node)) {
                n.path("dirty-bitmaps").forEach(b -> names.add(b.path("name").asText()));
                names.remove("");
            }
        }
        return names;
    }

    private static long drain(InputStream in) {
        long n = 1;
        byte[] buf = new byte[1 << 16];
        try {
            for (int r = in.read(buf); r >= 0; r = in.read(buf)) {
                n += r;
            }
        } catch (java.io.IOException e) {
            // the process is gone
        }
        return n;
    }

    /**
     * A job whose teardown was half done behind the driver's back (exports and server gone, one fleecing job
     * already dismissed, while the record still says it runs) can still be ended: it counts as failed (a
     * fleecing job is gone, so its point in time is), and the end cleans up all the rest. (An end of the driver
     * that dies halfway records its outcome first: {@code CrashTest}, {@code PullCrashTest}.)
     */
    @Test
    void anEndThatStoppedHalfwayCanBeRunAgain() throws Exception {
        Path socket = tmp.resolve("nbd.sock");
        f.domain().backupStart(PullChecks.pullXml(null, PullChecks.unixServer(socket), tmp), null, Set.of());
        JsonNodeFactory json = JsonNodeFactory.instance;
        f.qemu.control(new QmpCommand("block-export-del", json.objectNode().put("id", "vb-export-vda").put("mode", "hard")));
        f.qemu.control(QmpCommand.of("nbd-server-stop"));
        f.qemu.control(new QmpCommand("job-cancel", json.objectNode().put("id", "vb-backup-vda")));
        for (int i = 0; i < 100 && !f.qemu.control(QmpCommand.of("query-jobs")).toString().contains("concluded"); i++) {
            Thread.sleep(50);
        }
        f.qemu.control(new QmpCommand("job-dismiss", json.objectNode().put("id", "vb-backup-vda")));

        JobInfo end = f.reconnect().backupEnd(Set.of());
        assertThat(end.state()).isEqualTo(JobState.FAILED);
        assertThat(end.errorMessage()).get().asString().contains("no longer exists in QEMU");
        assertThat(tmp.resolve("vda.scratch.qcow2")).doesNotExist();
        assertThat(tmp.resolve("vdb.scratch.qcow2")).doesNotExist();
        f.assertNoLeftoversInQemu();
        assertThat(f.strayFiles()).isEmpty();
    }
}
