// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.virtbackup.api.BackupStartFlag;
import org.virtbackup.api.CheckpointDiskState;
import org.virtbackup.api.CheckpointHealth;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.testing.QemuLeftovers;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * QEMU SIGKILLed at seeded random moments of an incremental push or pull (issue 7): during the start, the
 * copy, a client's export read, or the end. QEMU had loaded checkpoint c1 from its images (a clean shutdown
 * stored it) and the backup creates c2. Then: the job is ended from a new connection (offline), nothing is
 * left (files, NBD socket, backup.json); QEMU restarted on the same images reports c1 inconsistent and c2
 * missing; an incremental backup from the newest checkpoint with INCREMENTAL_FALLBACK_FULL completes in full
 * and equals the disks; and nothing is left again.
 *
 * <p>{@code -Dvirtbackup.kill.seed=S}, {@code -Dvirtbackup.kill.rounds=N} (cases per phase).
 */
@Tag("reliability")
@RequiresQemu
@Timeout(180)
class QemuKillTest {

    static final long SIZE = SoakTest.SIZE;

    @TempDir
    Path tmp;

    static Stream<Arguments> moments() {
        Random r = new Random(Long.getLong("virtbackup.kill.seed", 7L));
        int rounds = Integer.getInteger("virtbackup.kill.rounds", 1);
        List<Arguments> out = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            for (String phase : List.of("push-start", "push-copy", "push-end", "pull-start", "pull-read", "pull-end")) {
                // a 1 MiB/s push copies for 16 s; a start or reading a 16 MiB export take ~0.2–0.3 s, an end ~0.1 s
                int range = phase.endsWith("copy") ? 1500 : phase.endsWith("end") ? 100 : 250;
                out.add(Arguments.of(phase, r.nextInt(range)));
            }
        }
        return out.stream();
    }

    private EmbeddedQemu start(DomainFixture f, String run) {
        return EmbeddedQemu.builder().workDir(tmp.resolve("qemu-" + run)).disk(f.vda, "vda").disk(f.vdb, "vdb").start();
    }

    private Connection connect(EmbeddedQemu q, DomainFixture f, long speed) {
        return Connections.open(q.qmpUri("vm1"), Map.of("stateDir", f.state.toString(),
                "backupSpeed", Long.toString(speed)));
    }

    private String xml(String phase, String since) {
        return phase.startsWith("push")
                ? PushBackupTest.pushXml(since, tmp.resolve("vda.inc.qcow2"), tmp.resolve("vdb.inc.qcow2"))
                : PullChecks.pullXml(since, PullChecks.unixServer(tmp.resolve("nbd.sock")), tmp);
    }

    @ParameterizedTest(name = "{0} killed after {1} ms")
    @MethodSource("moments")
    void qemuKilledAtARandomMomentIsEndedOfflineAndTheNextBackupFallsBackToFull(String phase, int delayMs)
            throws Exception {
        DomainFixture f = new DomainFixture(tmp, SIZE);
        try (f) {
            Domain dom = f.domain();
            dom.backupStart(PushBackupTest.pushXml(null, tmp.resolve("vda.full.qcow2"), tmp.resolve("vdb.full.qcow2")),
                    PushBackupTest.checkpointXml("c1"), Set.of()).awaitCompletion(Duration.ofSeconds(60));
            dom.backupEnd(Set.of());
            Files.delete(tmp.resolve("vda.full.qcow2"));
            Files.delete(tmp.resolve("vdb.full.qcow2"));
            f.disconnect();
        } // a clean shutdown stores c1 in the images
        try (EmbeddedQemu q2 = start(f, "2")) {
            q2.guestWrite("vda", 1 << 20, 256 << 10, 0x31);
            q2.guestWrite("vdb", 5 << 20, 64 << 10, 0x32);
            if (killDuring(phase, delayMs, q2, f)) {
                // the end won the race with the kill: a completed push keeps its targets, as it should
                assertThat(Files.readString(f.state.resolve("vm1/last-job.json"))).contains("COMPLETED");
                assertThat(stray(f)).isEqualTo(phase.startsWith("push") ? List.of("vda.inc.qcow2", "vdb.inc.qcow2")
                        : List.of());
                Files.deleteIfExists(tmp.resolve("vda.inc.qcow2"));
                Files.deleteIfExists(tmp.resolve("vdb.inc.qcow2"));
            }
        }
        endOfflineAndAssertNothingLeft(f);
        try (EmbeddedQemu q3 = start(f, "3"); Connection c = connect(q3, f, 0)) {
            Domain dom = c.domain();
            CheckpointHealth h = dom.checkpointHealth();
            boolean c2 = h.disks().stream().anyMatch(d -> d.checkpoint().equals("c2"));
            List<org.assertj.core.groups.Tuple> expected = new ArrayList<>(List.of(
                    tuple("c1", "vda", CheckpointDiskState.INCONSISTENT), tuple("c1", "vdb", CheckpointDiskState.INCONSISTENT)));
            if (c2) {
                expected.add(tuple("c2", "vda", CheckpointDiskState.MISSING));
                expected.add(tuple("c2", "vdb", CheckpointDiskState.MISSING));
            }
            assertThat(h.disks()).as("%s after %d ms", phase, delayMs).extracting(CheckpointHealth.DiskEntry::checkpoint,
                    CheckpointHealth.DiskEntry::disk, CheckpointHealth.DiskEntry::state).containsExactlyElementsOf(expected);
            assertThat(h.orphans()).isEmpty();

            String since = c2 ? "c2" : "c1";
            Path vda = tmp.resolve("vda.inc.qcow2");
            Path vdb = tmp.resolve("vdb.inc.qcow2");
            JobInfo done = dom.backupStart(PushBackupTest.pushXml(since, vda, vdb), PushBackupTest.checkpointXml("c3"),
                    EnumSet.of(BackupStartFlag.INCREMENTAL_FALLBACK_FULL)).awaitCompletion(Duration.ofSeconds(60));
            assertThat(done.state()).as("fallback from %s: %s", since, done).isEqualTo(JobState.COMPLETED);
            assertThat(done.notes()).anyMatch(n -> n.startsWith("disk 'vda' backed up in full"));
            assertThat(dom.backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
            q3.guestFlush("vda");
            q3.guestFlush("vdb");
            assertThat(QemuImg.identical(f.vda, vda, true)).isTrue();
            assertThat(QemuImg.identical(f.vdb, vdb, true)).isTrue();
            Files.delete(vda);
            Files.delete(vdb);
            c.close();
            assertThat(QemuLeftovers.inspect(q3).isClean()).isTrue();
            assertThat(stray(f)).isEmpty();
        }
    }

    /**
     * Starts the backup and SIGKILLs QEMU {@code delayMs} into the phase; returns once QEMU is dead, true when
     * an end being raced finished first.
     */
    private boolean killDuring(String phase, int delayMs, EmbeddedQemu q, DomainFixture f) throws Exception {
        try (Connection c = connect(q, f, phase.endsWith("copy") ? 1 << 20 : 0)) {
            Domain dom = c.domain();
            CompletableFuture<?> op;
            Process reader = null;
            if (phase.endsWith("start")) {
                op = CompletableFuture.runAsync(() -> dom.backupStart(xml(phase, "c1"), PushBackupTest.checkpointXml("c2"),
                        Set.of()));
            } else {
                dom.backupStart(xml(phase, "c1"), PushBackupTest.checkpointXml("c2"), Set.of());
                if (phase.equals("push-end")) {
                    DomainFixture.awaitConcludedIn(q, "vb-backup-vda", "vb-backup-vdb"); // with nobody looking: the end below is the one that ends it
                }
                if (phase.equals("pull-read")) {
                    reader = new ProcessBuilder("nbdcopy", "nbd+unix:///vda?socket=" + tmp.resolve("nbd.sock"),
                            tmp.resolve("vda.read.raw").toString()).redirectErrorStream(true).start();
                }
                op = phase.endsWith("end") ? CompletableFuture.runAsync(() -> dom.backupEnd(Set.of()))
                        : CompletableFuture.completedFuture(null);
            }
            Thread.sleep(delayMs);
            q.kill();
            try {
                boolean ended = op.handle((v, e) -> e == null).get() && phase.endsWith("end");
                System.out.printf("kill: %s after %d ms: %s%n", phase, delayMs, ended ? "the end finished first"
                        : Files.exists(f.state.resolve("vm1/backup.json")) ? "job left on record" : "no job recorded");
                return ended;
            } finally {
                if (reader != null) {
                    reader.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
                    reader.destroyForcibly();
                    Files.deleteIfExists(tmp.resolve("vda.read.raw"));
                }
            }
        }
    }

    /** A new connection ends whatever job is on record; then no file, socket or job record is left. */
    private void endOfflineAndAssertNothingLeft(DomainFixture f) throws Exception {
        if (Files.exists(f.state.resolve("vm1/backup.json"))) {
            try (Connection c = Connections.open(f.qemu.qmpUri("vm1"), Map.of("stateDir", f.state.toString()))) {
                JobInfo end = c.domain().backupEnd(Set.of());
                assertThat(end.state()).isEqualTo(JobState.FAILED);
                assertThat(end.errorMessage()).hasValueSatisfying(m -> assertThat(m)
                        .startsWith("QEMU exited before the backup job ended"));
            }
        }
        assertThat(f.state.resolve("vm1/backup.json")).doesNotExist();
        assertThat(stray(f)).as("no target, scratch or NBD socket left").isEmpty();
    }

    private List<String> stray(DomainFixture f) throws Exception {
        return f.strayFiles().stream().filter(n -> !n.startsWith("qemu-")).toList();
    }
}
