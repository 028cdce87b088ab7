// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.Connection;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.JobState;
import org.virtbackup.qemu.launch.BitmapInfo;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * Two processes, or two threads with a connection each, start an offline backup of the same stopped domain at
 * once ({@link RaceChild} runs the operations): exactly one wins, the other is told another job runs, and once
 * the winner's job ends no {@code qemu-storage-daemon} is left, only the winner's checkpoint exists and its
 * backup equals the disks.
 */
@RequiresQemu
@Timeout(300)
class QsdRaceTest extends QsdVmTest {

    private static final int ROUNDS = 3;

    private String start(String name) {
        return "start " + name + " " + tmp.resolve("vda." + name + ".qcow2") + " " + tmp.resolve("vdb." + name
                + ".qcow2");
    }

    @Tag("reliability") // two JVMs a round: about 25 s
    @Test
    void twoProcessesStartingAnOfflineBackupAtOnceGiveOneJob() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            long when = System.currentTimeMillis() + 1500; // both JVMs are up by then
            List<Process> children = new ArrayList<>();
            try {
                for (int c = 0; c < 2; c++) {
                    children.add(RaceChild.spawn(f.uri(), f.state, when, List.of(start("p" + round + "c" + c))));
                }
                List<String> outcomes = new ArrayList<>();
                for (Process child : children) {
                    List<String> lines = RaceChild.outcomes(child);
                    assertThat(lines).hasSize(1);
                    String line = lines.get(0);
                    outcomes.add(line.substring(line.indexOf(" -> ") + 4, line.lastIndexOf(" busy=")));
                }
                settle(round, outcomes, "p");
            } finally {
                children.forEach(Process::destroyForcibly);
            }
        }
    }

    @Test
    void twoThreadsWithAConnectionEachStartingAtOnceGiveOneJob() throws Exception {
        Map<String, String> options = Map.of("stateDir", f.state.toString(), "backupSpeed", RaceChild.SLOW);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                CyclicBarrier together = new CyclicBarrier(2);
                List<Future<String>> racing = new ArrayList<>();
                for (int c = 0; c < 2; c++) {
                    String op = start("t" + round + "c" + c);
                    racing.add(pool.submit(() -> {
                        together.await();
                        String outcome = RaceChild.onOwnConnection(f.uri(), options, op);
                        for (int i = 0; RaceChild.code(outcome).equals("RESOURCE_BUSY") && i < RaceChild.BUSY_RETRIES;
                                i++) {
                            outcome = RaceChild.onOwnConnection(f.uri(), options, op);
                        }
                        return outcome;
                    }));
                }
                List<String> outcomes = new ArrayList<>();
                for (Future<String> r : racing) {
                    outcomes.add(r.get());
                }
                settle(round, outcomes, "t");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Two operations that do not exclude each other (checkpoint creates) at once: the one that finishes first
     * must not stop the daemon under the other, which found it on record and waits for its monitor; both
     * succeed and the daemon quits after the last.
     */
    @Test
    void twoThreadsCreatingCheckpointsAtOnceBothSucceed() throws Exception {
        Map<String, String> options = Map.of("stateDir", f.state.toString());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<String> made = new ArrayList<>();
        try {
            for (int round = 0; round < 2 * ROUNDS; round++) {
                CyclicBarrier together = new CyclicBarrier(2);
                List<Future<String>> racing = new ArrayList<>();
                for (int c = 0; c < 2; c++) {
                    String name = "x" + round + "c" + c;
                    made.add(name);
                    racing.add(pool.submit(() -> {
                        together.await();
                        return RaceChild.onOwnConnection(f.uri(), options, "create " + name);
                    }));
                }
                for (Future<String> r : racing) {
                    assertThat(r.get()).as("round %d", round).isEqualTo("OK");
                }
                assertThat(f.daemonsRunning()).as("round %d", round).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
        try (Connection c = f.offline()) {
            assertThat(c.domain().listAllCheckpoints(Set.of())).extracting(DomainCheckpoint::name)
                    .containsExactlyInAnyOrderElementsOf(made);
            assertThat(c.domain().checkpointHealth().problems()).isEmpty();
        }
    }

    /**
     * One OK, one refusal naming the running job; then the winner's job is ended and checked: its backup equals
     * the disks, its checkpoint is the only new one, the loser left no file, and no daemon runs.
     */
    private void settle(int round, List<String> outcomes, String prefix) throws Exception {
        assertThat(outcomes).as("round %d", round).filteredOn(o -> o.equals("OK")).hasSize(1);
        String lost = outcomes.stream().filter(o -> !o.equals("OK")).findFirst().orElseThrow();
        assertThat(RaceChild.code(lost)).as(lost).isEqualTo(ErrorCode.OPERATION_INVALID.name());
        assertThat(lost).contains("already");
        System.out.printf("qsd race %s%d: the loser was told %s%n", prefix, round, lost.replaceAll(" \\[at .*", ""));
        String winner = prefix + round + "c" + outcomes.indexOf("OK");
        String loser = prefix + round + "c" + (1 - outcomes.indexOf("OK"));
        try (Connection c = f.offline()) {
            BackupJob job = c.domain().currentBackup().orElseThrow();
            job.setSpeed(0); // it copied slowly so that the loser met it running; now let it finish
            assertThat(job.awaitCompletion(Duration.ofSeconds(60)).state()).isEqualTo(JobState.COMPLETED);
            assertThat(c.domain().currentBackup()).as("a finished push is ended by the look that saw it").isEmpty();
        }
        assertThat(f.daemonsRunning()).as("round %d: no daemon after the end", round).isEmpty();
        assertThat(f.daemonOnRecord()).isEmpty();
        assertThat(tmp.resolve("vda." + loser + ".qcow2")).doesNotExist();
        assertThat(tmp.resolve("vdb." + loser + ".qcow2")).doesNotExist();
        assertThat(QemuImg.identical(f.vda, tmp.resolve("vda." + winner + ".qcow2"))).isTrue();
        assertThat(QemuImg.identical(f.vdb, tmp.resolve("vdb." + winner + ".qcow2"))).isTrue();
        try (Connection c = f.offline()) {
            assertThat(c.domain().listAllCheckpoints(Set.of())).extracting(DomainCheckpoint::name).as("round %d", round)
                    .contains(winner).doesNotContain(loser).hasSize(round + 1);
        }
        assertThat(QemuImg.bitmaps(f.vda, false)).extracting(BitmapInfo::name).doesNotContain(loser);
    }
}
