// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.JobEvent;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.plan.Qmp;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.testing.QmpCutProxy;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * Regression for 697fafa: with a QMP connection per operation, a look at a running job ({@code query-jobs} from
 * {@code awaitCompletion}, {@code info()} or a listener) can fail while QEMU and the job are fine. Such a look
 * was taken for the job failing: {@code awaitCompletion} returned {@code FAILED} ("lost the connection to
 * QEMU"), {@code info()} said {@code FAILED}, a listener got {@code JOB_COMPLETED} with {@code FAILED}, while
 * the push went on to complete. A look now counts as the job's failure only when no QEMU answers any more.
 *
 * <p>The failed look is made real with {@link QmpCutProxy} in front of QEMU's socket: it cuts the connection of
 * the first {@code query-jobs} before QEMU gets it, and serves later connections normally. The push copies at
 * 8 MiB/s, so it still runs when the first look is made; its targets are then compared with the disks at its
 * instant.
 */
@RequiresQemu
@Timeout(120)
class FailedLookTest extends DomainTest {

    private Map<String, Path> atStart;

    /** A running push of both disks with a checkpoint, started from a connection that let go of the socket. */
    private void startSlowPush() throws Exception {
        atStart = Map.of("vda", PullChecks.reference(f, f.vda, tmp.resolve("vda.ref.raw")),
                "vdb", PullChecks.reference(f, f.vdb, tmp.resolve("vdb.ref.raw")));
        f.reconnect(Map.of("backupSpeed", Long.toString(8L << 20))).backupStart(PushBackupTest.pushXml(null,
                tmp.resolve("vda.bak.qcow2"), tmp.resolve("vdb.bak.qcow2")), PushBackupTest.checkpointXml("cp1"), Set.of());
        f.qemu.guestWrite("vda", 2 << 20, 1 << 20, 0x77); // after the instant: the backup must not contain it
        f.qemu.guestWrite("vdb", 5 << 20, 1 << 20, 0x78);
        f.disconnect();
    }

    /**
     * Cuts the connection of the job's first look. The first {@code query-jobs} through the proxy is
     * {@code currentBackup}'s own (it ends a push that finished, and takes a failed look for "not finished"), so
     * the cut is at the second.
     */
    private QmpCutProxy cutFirstLook() {
        return QmpCutProxy.start(tmp.resolve("proxy.sock"), f.qemu.qmpSocket(), "query-jobs", 2, QmpCutProxy.Cut.BEFORE);
    }

    private Connection throughProxy(QmpCutProxy proxy) throws Exception {
        return Connections.open(new URI("qmp+unix", "", proxy.socket().toString(), "domain=vm1", null),
                Map.of("stateDir", f.state.toString()));
    }

    @Test
    void awaitCompletionRetriesALookThatLostItsConnection() throws Exception {
        startSlowPush();
        JobInfo done;
        try (QmpCutProxy proxy = cutFirstLook(); Connection c = throughProxy(proxy)) {
            done = c.domain().currentBackup().orElseThrow().awaitCompletion(Duration.ofSeconds(90));
            assertThat(proxy.hasCut()).as("the first look lost its connection").isTrue();
        }
        assertThat(done.state()).as("a failed look is not a failed job: %s", done).isEqualTo(JobState.COMPLETED);
        endAndCompare();
    }

    @Test
    void infoReportsAFailedLookAsSuchNotAsAFailedJob() throws Exception {
        startSlowPush();
        try (QmpCutProxy proxy = cutFirstLook(); Connection c = throughProxy(proxy)) {
            BackupJob job = c.domain().currentBackup().orElseThrow();
            VirtBackupException e = catchThrowableOfType(job::info, VirtBackupException.class);
            assertThat(proxy.hasCut()).as("the first look lost its connection").isTrue();
            assertThat(e).as("info() of a look that failed while QEMU answers throws (the job's state is unknown)")
                    .isNotNull();
            assertThat(e.getMessage()).contains("lost");
            assertThat(job.info().state()).as("the next look").isIn(JobState.RUNNING, JobState.COMPLETED);
            assertThat(job.awaitCompletion(Duration.ofSeconds(90)).state()).isEqualTo(JobState.COMPLETED);
        }
        endAndCompare();
    }

    @Test
    void aListenerIsNotToldOfAFailureByALookThatLostItsConnection() throws Exception {
        startSlowPush();
        CompletableFuture<JobInfo> completed = new CompletableFuture<>();
        try (QmpCutProxy proxy = cutFirstLook(); Connection c = throughProxy(proxy)) {
            BackupJob job = c.domain().currentBackup().orElseThrow();
            try (AutoCloseable sub = job.onEvent(e -> {
                if (e.type() == JobEvent.Type.JOB_COMPLETED) {
                    completed.complete(e.info());
                }
            })) {
                JobInfo info = completed.get(90, TimeUnit.SECONDS);
                assertThat(proxy.hasCut()).as("the first look lost its connection").isTrue();
                assertThat(info.state()).as("JOB_COMPLETED: %s", info).isEqualTo(JobState.COMPLETED);
            }
        }
        endAndCompare();
    }

    /**
     * The busy socket, the case the old code already told apart: another client holds QEMU's monitor while
     * {@code awaitCompletion} looks, until the job has concluded in QEMU (seen on the private monitor); the
     * looks in between find the socket busy and are retried.
     */
    @Test
    void awaitCompletionWaitsForASocketAnotherClientHolds() throws Exception {
        startSlowPush();
        BackupJob job = f.reconnect(Map.of("qmpWait", "1")).currentBackup().orElseThrow(); // lets go of the socket
        CompletableFuture<JobInfo> done;
        try (QmpChannel holder = f.qemu.openQmp()) {
            done = CompletableFuture.supplyAsync(() -> job.awaitCompletion(Duration.ofSeconds(90)));
            while (!bothJobsConcluded()) {
                Thread.sleep(100); // a condition polled on the private monitor, not a guess at a duration
            }
            assertThat(done).as("awaitCompletion cannot see the end while the socket is held").isNotDone();
        }
        assertThat(done.get(90, TimeUnit.SECONDS).state()).isEqualTo(JobState.COMPLETED);
        endAndCompare();
    }

    private boolean bothJobsConcluded() {
        List<String> concluded = new java.util.ArrayList<>();
        f.qemu.control(Qmp.queryJobs()).forEach(j -> {
            if (j.path("status").asText().equals("concluded")) {
                concluded.add(j.path("id").asText());
            }
        });
        return concluded.size() == 2;
    }

    /** The end keeps the targets, which equal the disks at the backup's instant; nothing is left behind. */
    private void endAndCompare() {
        assertThat(f.reconnect().backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
        f.assertNoLeftoversInQemu();
        f.flush();
        for (String d : List.of("vda", "vdb")) {
            assertThat(f.identical(tmp.resolve(d + ".qcow2"), atStart.get(d))).as("%s changed after the instant", d)
                    .isFalse();
            assertThat(f.identical(atStart.get(d), tmp.resolve(d + ".bak.qcow2")))
                    .as("%s: the target equals the disk at the backup's instant", d).isTrue();
        }
        assertThat(f.bitmaps()).containsExactlyInAnyOrder("vda-format/cp1", "vdb-format/cp1");
    }
}
