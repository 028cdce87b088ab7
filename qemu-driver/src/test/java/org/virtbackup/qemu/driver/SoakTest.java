// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.testing.QemuLeftovers;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * The soak (issue 7): {@value #DEFAULT_BACKUPS} consecutive backups of two 16 MiB disks on one QEMU, a full
 * push first, then incrementals alternating pull and push, each from the previous checkpoint and creating the
 * next, with seeded random guest writes, zero writes and discards before each point in time and during each
 * job. Each backup is restored over the previous restore (push: rebased and flattened; pull: the dirty map read
 * over NBD) and compared with qemu-img against the disk flushed and copied at that point in time. Old
 * checkpoints are deleted as a user would (bitmaps and metadata), keeping at most {@value #KEEP}. After every
 * backup: nothing left in QEMU, no backup.json, no stray file; after every deletion: checkpoint health ok and
 * exactly the checkpoints' bitmaps in QEMU.
 *
 * <p>{@code -Dvirtbackup.soak.backups=N}, {@code -Dvirtbackup.soak.seed=S}.
 */
@Tag("reliability")
@RequiresQemu
@Timeout(1800)
class SoakTest {

    static final int DEFAULT_BACKUPS = 100;
    static final int KEEP = 4;
    static final long SIZE = 16L << 20;
    static final List<String> DISKS = List.of("vda", "vdb");

    @TempDir
    Path tmp;

    DomainFixture f;

    @BeforeEach
    void start() {
        f = new DomainFixture(tmp, SIZE);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    /** What the soak counted. */
    private static final class Counts {
        int push;
        int pull;
        long bytes;
        int guestOps;
        int verified;
        int deleted;
        int leftovers;
        final List<String> mismatches = new ArrayList<>();
    }

    @Test
    void consecutiveIncrementalBackupsAlternatingPushAndPullEachRestoreToItsPointInTime() throws Exception {
        int backups = Integer.getInteger("virtbackup.soak.backups", DEFAULT_BACKUPS);
        long seed = Long.getLong("virtbackup.soak.seed", 7L);
        Random r = new Random(seed);
        Counts c = new Counts();
        Map<String, Path> restore = new TreeMap<>();
        DISKS.forEach(d -> restore.put(d, tmp.resolve(d + ".restore.raw")));
        long t0 = System.nanoTime();
        for (int i = 0; i < backups; i++) {
            for (String d : DISKS) {
                c.guestOps += Restores.randomIo(f, r, d, SIZE);
            }
            Map<String, Path> refs = new TreeMap<>();
            for (String d : DISKS) {
                refs.put(d, PullChecks.reference(f, d.equals("vda") ? f.vda : f.vdb, tmp.resolve(d + ".ref.raw")));
            }
            boolean pull = i % 2 == 1;
            String since = i == 0 ? null : "c" + (i - 1);
            c.bytes += pull ? pullOnce(i, since, r, restore, c) : pushOnce(i, since, r, restore, c);
            for (String d : DISKS) {
                if (QemuImg.identical(refs.get(d), restore.get(d), false)) {
                    c.verified++;
                } else {
                    c.mismatches.add("backup " + i + " (" + (pull ? "pull" : "push") + ") disk " + d);
                    Files.copy(refs.get(d), restore.get(d), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                Files.delete(refs.get(d));
            }
            c.leftovers += leftovers(i);
            if (i % 10 == 9) {
                c.deleted += pruneCheckpoints();
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("soak: seed %d, %d backups (%d push, %d pull), %d MiB read from backups, %d guest ops, "
                + "%d restores verified, %d mismatches, %d checkpoints deleted, %d leftovers, %d ms%n", seed,
                c.push + c.pull, c.push, c.pull, c.bytes >> 20, c.guestOps, c.verified, c.mismatches.size(),
                c.deleted, c.leftovers, ms);
        assertThat(c.mismatches).as("restores that differ from their point in time").isEmpty();
        assertThat(c.leftovers).isZero();
        assertThat(c.verified).isEqualTo(2 * backups);
    }

    private long pushOnce(int i, String since, Random r, Map<String, Path> restore, Counts c) throws Exception {
        Domain dom = f.reconnect();
        Path vdaT = tmp.resolve("vda.push" + i + ".qcow2");
        Path vdbT = tmp.resolve("vdb.push" + i + ".qcow2");
        BackupJob job = dom.backupStart(PushBackupTest.pushXml(since, vdaT, vdbT), PushBackupTest.checkpointXml("c" + i),
                Set.of());
        DISKS.forEach(d -> c.guestOps += Restores.randomIo(f, r, d, SIZE)); // after the point in time
        assertThat(job.awaitCompletion(Duration.ofSeconds(60)).state())
                .as("push %d", i).isEqualTo(JobState.COMPLETED);
        JobInfo end = dom.backupEnd(Set.of());
        assertThat(end.state()).as("push %d", i).isEqualTo(JobState.COMPLETED);
        f.disconnect();
        Restores.applyPush(vdaT, since == null ? null : restore.get("vda"), restore.get("vda"));
        Restores.applyPush(vdbT, since == null ? null : restore.get("vdb"), restore.get("vdb"));
        c.push++;
        return end.diskProcessed().orElse(0);
    }

    private long pullOnce(int i, String since, Random r, Map<String, Path> restore, Counts c) throws Exception {
        Domain dom = f.reconnect();
        Path socket = tmp.resolve("nbd.sock");
        dom.backupStart(PullChecks.pullXml(since, PullChecks.unixServer(socket), tmp),
                PushBackupTest.checkpointXml("c" + i), Set.of());
        DISKS.forEach(d -> c.guestOps += Restores.randomIo(f, r, d, SIZE)); // after the point in time
        long bytes = 0;
        for (String d : DISKS) {
            bytes += Restores.applyPull(socket, d, since == null, restore.get(d), tmp);
        }
        assertThat(dom.backupEnd(Set.of()).state()).as("pull %d", i).isEqualTo(JobState.COMPLETED);
        f.disconnect();
        c.pull++;
        return bytes;
    }

    /** Counts what backup {@code i} left: in QEMU, the job record, files besides the restores. */
    private int leftovers(int i) throws Exception {
        QemuLeftovers.Report report = QemuLeftovers.inspect(f.qemu);
        int n = report.isClean() ? 0 : 1;
        if (Files.exists(f.state.resolve("vm1/backup.json"))) {
            n++;
        }
        List<String> stray = new ArrayList<>(f.strayFiles());
        stray.removeAll(List.of("vda.restore.raw", "vdb.restore.raw"));
        n += stray.size();
        if (n > 0) {
            System.out.printf("soak: backup %d left %s, files %s%n", i, report, stray);
        }
        return n;
    }

    /** Deletes the oldest checkpoints beyond {@link #KEEP}, as a user would, and checks what remains. */
    private int pruneCheckpoints() {
        Domain dom = f.reconnect();
        List<DomainCheckpoint> all = new ArrayList<>(dom.listAllCheckpoints(EnumSet.of(CheckpointListFlag.TOPOLOGICAL)));
        int deleted = 0;
        while (all.size() > KEEP) {
            all.remove(0).delete(Set.of());
            deleted++;
        }
        assertThat(dom.checkpointHealth().ok()).as("checkpoint health after pruning: %s", dom.checkpointHealth())
                .isTrue();
        List<String> names = all.stream().map(DomainCheckpoint::name).sorted().toList();
        List<String> expected = new ArrayList<>();
        for (String d : DISKS) {
            names.forEach(n -> expected.add(d + "-format/" + n));
        }
        assertThat(f.bitmaps()).as("exactly the kept checkpoints' bitmaps").containsExactlyInAnyOrderElementsOf(expected);
        f.disconnect();
        return deleted;
    }
}
