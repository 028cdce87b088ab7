// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.JobState;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * Threads and processes racing backup start, checkpoint create and delete and backup end on one domain
 * (issue 7). Each round: {@value #THREADS} starts at once, exactly one wins and the others get
 * {@code OPERATION_INVALID}; then ends, creates and deletes at once; then the checkpoint metadata and QEMU's
 * bitmaps must agree, nothing may be left in QEMU or on disk, and the next backup must work.
 *
 * <p>QEMU's monitor serves one client at a time: a second connection's {@code connect} succeeds but its
 * greeting only comes when the first client leaves. The driver waits {@code QmpChannel.DEFAULT_CONNECT_TIMEOUT}
 * (5 s) for it, then fails with {@code RESOURCE_BUSY}; a caller may retry. Threads sharing one connection are
 * serialised by the domain lock instead.
 */
@RequiresQemu
@Timeout(300)
class RaceTest {

    static final int THREADS = 8;
    static final int ROUNDS = Integer.getInteger("virtbackup.race.rounds", 3);

    @TempDir
    Path tmp;

    DomainFixture f;
    final Random random = new Random(Long.getLong("virtbackup.race.seed", 7L));
    int racesRun;
    volatile Domain current;

    @BeforeEach
    void start() {
        f = new DomainFixture(tmp, SoakTest.SIZE);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    /** Runs {@code ops} on {@value #THREADS} threads released together; returns each op's outcome. */
    private List<String> race(List<String> ops, Function<String, String> runner) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(ops.size());
        try {
            CyclicBarrier barrier = new CyclicBarrier(ops.size());
            List<Future<String>> futures = new ArrayList<>();
            for (String op : ops) {
                futures.add(pool.submit(() -> {
                    barrier.await();
                    return runner.apply(op);
                }));
            }
            List<String> out = new ArrayList<>();
            for (Future<String> fu : futures) {
                out.add(fu.get());
            }
            racesRun++;
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private List<String> starts(int round) {
        List<String> ops = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            ops.add("start r" + round + "t" + t + " " + tmp.resolve("vda.r" + round + "t" + t + ".qcow2") + " "
                    + tmp.resolve("vdb.r" + round + "t" + t + ".qcow2"));
        }
        return ops;
    }

    /** 2 ends, 3 creates of new checkpoints, 3 deletes of random candidates (maybe the same, maybe in use). */
    private List<String> mixed(int round, List<String> existing) {
        List<String> ops = new ArrayList<>(List.of("end", "end"));
        for (int t = 0; t < 3; t++) {
            ops.add("create m" + round + "c" + t);
            ops.add("delete " + existing.get(random.nextInt(existing.size())));
        }
        return ops;
    }

    private static void assertOutcomes(List<String> ops, List<String> outcomes) {
        for (int i = 0; i < ops.size(); i++) {
            String op = ops.get(i).split(" ")[0];
            List<String> allowed = switch (op) {
                case "start" -> List.of("OK", "OPERATION_INVALID");
                case "delete" -> List.of("OK", "OPERATION_INVALID", "NO_DOMAIN_CHECKPOINT");
                default -> List.of("OK");
            };
            assertThat(RaceChild.code(outcomes.get(i))).as("%s -> %s", ops.get(i), outcomes.get(i)).isIn(allowed);
        }
        List<String> startOutcomes = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).startsWith("start")) {
                startOutcomes.add(RaceChild.code(outcomes.get(i)));
            }
        }
        if (!startOutcomes.isEmpty()) {
            assertThat(startOutcomes).as("exactly one start wins: %s", outcomes).containsOnlyOnce("OK");
        }
    }

    private List<String> names(Domain dom) {
        return dom.listAllCheckpoints(EnumSet.noneOf(CheckpointListFlag.class)).stream().map(DomainCheckpoint::name).toList();
    }

    /** Metadata and bitmaps agree, nothing is left, and a completed winner's targets are the only files. */
    private void assertConsistent(String winner) throws Exception {
        Domain dom = f.reconnect();
        assertThat(dom.checkpointHealth().ok()).as("health: %s", dom.checkpointHealth()).isTrue();
        assertThat(dom.checkpointHealth().orphans()).isEmpty();
        List<String> expected = new ArrayList<>();
        for (String d : List.of("vda", "vdb")) {
            names(dom).forEach(n -> expected.add(d + "-format/" + n));
        }
        assertThat(f.bitmaps()).containsExactlyInAnyOrderElementsOf(expected);
        boolean kept = dom.jobInfo(true).state() == JobState.COMPLETED;
        f.assertNoLeftoversInQemu();
        List<String> targets = List.of("vda." + winner + ".qcow2", "vdb." + winner + ".qcow2");
        assertThat(f.strayFiles()).as("files after %s ended (completed: %s)", winner, kept)
                .isEqualTo(kept ? targets : List.of());
        for (String t : targets) {
            Files.deleteIfExists(tmp.resolve(t));
        }
    }

    /** The checkpoint name of the start that won. */
    private static String winner(List<String> ops, List<String> outcomes) {
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).startsWith("start") && outcomes.get(i).equals("OK")) {
                return ops.get(i).split(" ")[1];
            }
        }
        throw new AssertionError("no start won: " + outcomes);
    }

    /** A following full backup with a new checkpoint works and equals the disks. */
    private void nextBackupWorks() {
        Domain dom = f.reconnect();
        Path vda = tmp.resolve("vda.next.qcow2");
        Path vdb = tmp.resolve("vdb.next.qcow2");
        BackupJob job = dom.backupStart(PushBackupTest.pushXml(null, vda, vdb), PushBackupTest.checkpointXml("next"), Set.of());
        assertThat(job.awaitCompletion(Duration.ofSeconds(60)).state()).isEqualTo(JobState.COMPLETED);
        assertThat(dom.backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
        assertThat(dom.checkpointHealth().ok()).isTrue();
        f.flush();
        assertThat(f.identical(f.vda, vda)).isTrue();
        assertThat(f.identical(f.vdb, vdb)).isTrue();
    }

    @Tag("reliability")
    @Test
    void threadsSharingOneConnection() throws Exception {
        runRounds(true, op -> RaceChild.run(current, op));
        System.out.printf("race: %d races of %d threads on one connection%n", racesRun, THREADS);
    }

    @Tag("reliability")
    @Test
    void threadsWithAConnectionEach() throws Exception {
        URI uri = f.qemu.qmpUri("vm1");
        Map<String, String> options = Map.of("stateDir", f.state.toString(), "backupSpeed", RaceChild.SLOW);
        int[] busy = new int[1];
        runRounds(false, op -> {
            String outcome = RaceChild.onOwnConnection(uri, options, op);
            for (int i = 0; RaceChild.code(outcome).equals("RESOURCE_BUSY") && i < RaceChild.BUSY_RETRIES; i++) {
                synchronized (busy) {
                    busy[0]++;
                }
                outcome = RaceChild.onOwnConnection(uri, options, op);
            }
            return outcome;
        });
        System.out.printf("race: %d races of %d threads with a connection each, %d busy-monitor retries%n",
                racesRun, THREADS, busy[0]);
    }

    /**
     * The rounds; with {@code shared}, the threads use the fixture's connection ({@link #current}), else the
     * fixture lets go of the monitor and each operation opens its own.
     */
    private void runRounds(boolean shared, Function<String, String> runner) throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            current = f.reconnect(Map.of("backupSpeed", RaceChild.SLOW));
            List<String> existing = names(current);
            if (!shared) {
                f.disconnect();
            }
            List<String> starts = starts(round);
            List<String> started = race(starts, runner);
            assertOutcomes(starts, started);
            String winner = winner(starts, started);
            List<String> candidates = new ArrayList<>(existing);
            candidates.add(winner); // in use until an end wins the race
            List<String> mixed = mixed(round, candidates);
            assertOutcomes(mixed, race(mixed, runner));
            assertConsistent(winner);
        }
        nextBackupWorks();
    }

    @Tag("reliability")
    @Test
    void twoProcesses() throws Exception {
        URI uri = f.qemu.qmpUri("vm1");
        int busy = 0;
        for (int round = 0; round < ROUNDS; round++) {
            List<String> existing = new ArrayList<>(names(f.reconnect()));
            f.disconnect();
            existing.add("p" + round + "c0");
            long when = System.currentTimeMillis() + 1500; // both JVMs are up by then
            List<Process> children = new ArrayList<>();
            List<List<String>> scripts = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                String name = "p" + round + "c" + c;
                List<String> script = List.of("start " + name + " " + tmp.resolve("vda." + name + ".qcow2") + " "
                        + tmp.resolve("vdb." + name + ".qcow2"), "create p" + round + "x" + c,
                        "delete " + existing.get(random.nextInt(existing.size())), "end");
                scripts.add(script);
                children.add(RaceChild.spawn(uri, f.state, when, script));
            }
            List<String> ops = new ArrayList<>();
            List<String> outcomes = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                List<String> lines = RaceChild.outcomes(children.get(c));
                assertThat(lines).as("child %d printed one line per operation", c).hasSize(scripts.get(c).size());
                for (String line : lines) {
                    int arrow = line.indexOf(" -> ");
                    int count = line.lastIndexOf(" busy=");
                    ops.add(line.substring(0, arrow));
                    outcomes.add(line.substring(arrow + 4, count));
                    busy += Integer.parseInt(line.substring(count + 6).strip());
                }
            }
            racesRun++;
            assertOutcomes(ops, outcomes);
            assertConsistent(winner(ops, outcomes));
        }
        nextBackupWorks();
        System.out.printf("race: %d rounds of 2 processes x 4 operations, %d busy-monitor retries%n", racesRun, busy);
    }

    /**
     * Regression: while another client held QEMU's monitor, opening a connection took the busy monitor for a
     * dead QEMU when a backup was on record, and a backupEnd on it would have "ended" the live job offline,
     * deleting the targets QEMU was writing. A busy monitor now fails the open with RESOURCE_BUSY.
     */
    @Test
    void aBusyMonitorIsNotTakenForADeadQemu() throws Exception {
        Path vda = tmp.resolve("vda.bak.qcow2");
        f.slow().backupStart(PushBackupTest.pushXml(null, vda, tmp.resolve("vdb.bak.qcow2")), null, Set.of());
        f.disconnect();
        long t0 = System.nanoTime();
        VirtBackupException e;
        try (QmpChannel holder = f.qemu.openQmp()) { // another client holds the monitor
            e = catchThrowableOfType(() -> Connections.open(f.qemu.qmpUri("vm1"),
                    Map.of("stateDir", f.state.toString())), VirtBackupException.class);
        }
        assertThat(e).as("opening while another client holds the monitor fails").isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_BUSY);
        assertThat(e).hasMessageContaining("serves one QMP client at a time");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("the open waited for the greeting")
                .isBetween(Duration.ofSeconds(4), Duration.ofSeconds(30));
        assertThat(vda).as("the running backup's target is untouched").exists();
        assertThat(f.state.resolve("vm1/backup.json")).exists();
        assertThat(f.reconnect().backupEnd(Set.of()).state()).isEqualTo(JobState.CANCELLED);
        f.assertNoLeftoversInQemu();
        assertThat(f.strayFiles()).isEmpty();
    }

    /**
     * Regression: while a backup job ran, its copy-before-write filter was taken for the disk's top layer, so
     * checkpoint health called every checkpoint broken ("bitmap missing in top layer '#block…'", repair:
     * delete it) and a checkpoint create failed with CONFIG_UNSUPPORTED "unsupported for storage type
     * copy-before-write". The disk's layers now start below the filter.
     */
    @Test
    void checkpointsAreHealthyAndCanBeMadeAndDeletedWhileABackupRuns() {
        Domain dom = f.slow();
        CheckpointQemu.create(dom, "c0");
        dom.backupStart(PushBackupTest.pushXml(null, tmp.resolve("a.qcow2"), tmp.resolve("b.qcow2")),
                PushBackupTest.checkpointXml("c1"), Set.of());
        assertThat(f.bitmaps()).as("the job's filter is in place").anyMatch(b -> b.startsWith("#block"));
        assertThat(dom.checkpointHealth().ok()).as("%s", dom.checkpointHealth()).isTrue();
        CheckpointQemu.create(dom, "c2");
        dom.checkpointLookupByName("c0").delete(Set.of());
        assertThat(f.bitmaps()).as("named bitmaps of the disks").filteredOn(b -> !b.startsWith("#") && !b.endsWith("/"))
                .containsExactlyInAnyOrder("vda-format/c1", "vdb-format/c1", "vda-format/c2", "vdb-format/c2");
        assertThat(dom.backupEnd(Set.of()).state()).isEqualTo(JobState.CANCELLED);
        assertThat(f.domain().checkpointHealth().ok()).isTrue();
        assertThat(names(f.domain())).as("the cancelled backup took its checkpoint c1 with it").containsExactly("c2");
        f.assertNoLeftoversInQemu();
    }
}
