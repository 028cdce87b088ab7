// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Domain;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * The controlling JVM dies (halted as by {@code kill -9}, through the executor's failpoint) at a chosen step
 * of a 2-disk push start with a checkpoint, or of its end; a new process then ends the job. Afterwards nothing
 * is left in QEMU or on disk, no half-made checkpoint exists, both disks still hold what they held before, and
 * the data is right: an interrupted end keeps targets equal to the disks at the backup's instant, and the next
 * backups (a full one, then an incremental from its checkpoint) equal the disks at their instants. Each instant
 * is a raw copy of both disks taken just before the start; the guest writes right after each start returns, so
 * a target equal to the disks at the end instead of at the instant fails. The step numbers follow the golden
 * plan {@code plans/push-full-2disk-checkpoint}: 0 create file, 1 file node, 2 create job for qcow2, 5 format
 * node, 6–11 the same for vdb, 12 the transaction.
 */
@RequiresQemu
@Timeout(180)
class CrashTest extends DomainTest {

    private static final List<String> DISKS = List.of("vda", "vdb");

    private int instants;

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
    @ValueSource(strings = {"start:0", "start:0+", "start:1+", "start:2+", "start:5+", "start:11+", "start:12",
        "start:12+"})
    void aStartThatDiesAnywhereIsCleanedUpByTheNextEnd(String failpoint) throws Exception {
        Map<String, Path> before = instant("before");
        f.disconnect();
        assertThat(child(failpoint, begin()).status()).as("the child died at the failpoint").isEqualTo(86);

        Domain dom = f.reconnect();
        assertThat(dom.backupEnd(Set.of()).state()).isIn(JobState.CANCELLED, JobState.FAILED);
        boolean committed = failpoint.equals("start:12+");
        assertThat(dom.listAllCheckpoints(Set.<CheckpointListFlag>of())).as("no half-made checkpoint").isEmpty();
        f.assertNoLeftoversInQemu();
        assertThat(f.strayFiles()).as("after %s (transaction applied: %s)", failpoint, committed)
                .containsOnly("b.xml", "cp.xml", "refs");
        assertThat(f.bitmaps()).as("no bitmap without metadata").isEmpty();
        assertDisksEqual(before, "the dead start and its end left the guest's data alone");

        // and the domain is fine for the next backups, which hold the right data
        Domain again = f.reconnect();
        Map<String, Path> full = pushAtAnInstant(again, null, "cp1", "next");
        assertTargetsEqual(full, "next", "the next full backup");
        assertTargetsEqual(pushAtAnInstant(again, "cp1", "cp2", "inc"), "inc", "full <- incremental since cp1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"teardown:0+", "teardown:1+", "teardown:2+", "teardown:4+"})
    void anEndThatDiesIsFinishedByTheNextEnd(String failpoint) throws Exception {
        Domain dom = f.domain();
        Map<String, Path> atStart = instant("bak");
        dom.backupStart(PushBackupTest.pushXml(null, tmp.resolve("vda.bak.qcow2"), tmp.resolve("vdb.bak.qcow2")),
                PushBackupTest.checkpointXml("cp1"), Set.of());
        writeAfterTheInstant();
        f.disconnect();
        f.awaitConcludedInQemu("vb-backup-vda", "vb-backup-vdb"); // the child's end is the first to see it
        assertThat(child(failpoint, "end", f.qemu.qmpUri("vm1").toString(), f.state.toString()).status()).isEqualTo(86);

        assertThat(f.reconnect().backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
        f.assertNoLeftoversInQemu();
        assertThat(tmp.resolve("vda.bak.qcow2")).as("a completed backup keeps its targets").exists();
        assertTargetsEqual(atStart, "bak", "the kept targets");
        assertThat(f.domain().checkpointLookupByName("cp1").isCurrent()).isTrue();
        // cp1 still tracks every write since its instant: the incremental from it restores the next instant
        assertTargetsEqual(pushAtAnInstant(f.domain(), "cp1", "cp2", "inc"), "inc", "full <- incremental since cp1");
    }

    /** Raw copies of both disks now (after a flush), in {@code refs/}: the contents at a backup's instant. */
    private Map<String, Path> instant(String name) throws Exception {
        Path refs = Files.createDirectories(tmp.resolve("refs"));
        Map<String, Path> out = new LinkedHashMap<>();
        for (String d : DISKS) {
            out.put(d, PullChecks.reference(f, tmp.resolve(d + ".qcow2"), refs.resolve(d + "." + name + ".raw")));
        }
        return out;
    }

    /** Guest writes after a backup's instant, different each time; a backup must not contain them. */
    private void writeAfterTheInstant() {
        instants++;
        f.qemu.guestWrite("vda", (long) instants << 20, 256 << 10, 0x40 + instants);
        f.qemu.guestWrite("vdb", (long) (8 + instants) << 20, 256 << 10, 0x80 + instants);
    }

    /**
     * A push backup to {@code <disk>.<name>.qcow2} (incremental from {@code since} unless null) creating
     * checkpoint {@code cp}, with guest writes after its instant, to its completed end.
     *
     * @return both disks at the backup's instant
     */
    private Map<String, Path> pushAtAnInstant(Domain dom, String since, String cp, String name) throws Exception {
        Map<String, Path> atStart = instant(name);
        BackupJob job = dom.backupStart(PushBackupTest.pushXml(since, tmp.resolve("vda." + name + ".qcow2"),
                tmp.resolve("vdb." + name + ".qcow2")), PushBackupTest.checkpointXml(cp), Set.of());
        writeAfterTheInstant();
        JobInfo done = job.awaitCompletion(Duration.ofSeconds(60));
        assertThat(done.state()).as("%s", done).isEqualTo(JobState.COMPLETED);
        assertThat(dom.backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
        if (since != null) {
            assertThat(QemuImg.info(tmp.resolve("vda." + name + ".qcow2"), true).backingFile())
                    .as("an incremental target reads its older data from the full one").isPresent();
        }
        return atStart;
    }

    /**
     * Each {@code <disk>.<name>.qcow2} (with its backing chain) equals the disk at the backup's instant
     * ({@code qemu-img compare}), and the disk has changed since, so that the comparison tells the two apart.
     */
    private void assertTargetsEqual(Map<String, Path> atInstant, String name, String what) {
        f.flush();
        for (String d : DISKS) {
            Path target = tmp.resolve(d + "." + name + ".qcow2");
            assertThat(f.identical(tmp.resolve(d + ".qcow2"), atInstant.get(d)))
                    .as("%s: the guest wrote after the instant", d).isFalse();
            assertThat(f.identical(atInstant.get(d), target)).as("%s: %s equals the disk at its instant", d, what)
                    .isTrue();
        }
    }

    /** Both disks equal {@code refs} now. */
    private void assertDisksEqual(Map<String, Path> refs, String why) {
        f.flush();
        for (String d : DISKS) {
            assertThat(f.identical(tmp.resolve(d + ".qcow2"), refs.get(d))).as("%s: %s", d, why).isTrue();
        }
    }
}
