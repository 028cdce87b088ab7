// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.nbd.testing.Tools;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * A chain full ← inc ← inc on a real QEMU with guest writes between the points and while each point is read:
 * every point restores to the disks' content at its checkpoint, verify passes, a flipped byte is found.
 */
@RequiresQemu
@Timeout(300)
class RepoChainTest extends RepoTestBase {
    private static final long M = 1 << 20;

    /** Backs up with {@code duringRead} run once the job runs and before the exports are read. */
    Point backup(Level level, Runnable duringRead) {
        return new RepoBackup(repo, Clock.systemUTC(), line -> {
            lines.add(line);
            if (line.equals(RepoBackup.READING)) {
                duringRead.run();
            }
        }).run(f.domain(), BackupRequest.of(level));
    }

    @Test
    void fullThenTwoIncrementalsEachRestoreToTheirPointInTimeAndVerify() throws Exception {
        Path ref0a = f.reference("vda", tmp.resolve("p0.vda.raw"));
        Path ref0b = f.reference("vdb", tmp.resolve("p0.vdb.raw"));
        Point p0 = backup(Level.AUTO, () -> f.qemu.guestWrite("vda", 0, M, 0x10));
        assertThat(p0.manifest().level()).as("auto on an empty repository").isEqualTo(Level.FULL);

        f.qemu.guestWrite("vda", 2 * M, 3 * M, 0x21);
        f.qemu.guestWriteZeroes("vdb", 4 * M, M);
        f.qemu.guestDiscard("vdb", 8 * M, 2 * M);
        Path ref1a = f.reference("vda", tmp.resolve("p1.vda.raw"));
        Path ref1b = f.reference("vdb", tmp.resolve("p1.vdb.raw"));
        Point p1 = backup(Level.AUTO, () -> f.qemu.guestWrite("vdb", 16 * M, M, 0x31));
        assertThat(p1.manifest().level()).isEqualTo(Level.INC);
        assertThat(p1.manifest().parent()).contains(p0.name());

        f.qemu.guestWrite("vda", 20 * M, 64 << 10, 0x41);
        Path ref2a = f.reference("vda", tmp.resolve("p2.vda.raw"));
        Path ref2b = f.reference("vdb", tmp.resolve("p2.vdb.raw"));
        Point p2 = backup(Level.INC, () -> f.qemu.guestDiscard("vda", 0, 4 * M));
        assertThat(p2.manifest().parent()).contains(p1.name());

        // reads: a full reads only the data, an incremental only the dirty data
        DiskEntry fullVda = p0.manifest().disk("vda").orElseThrow();
        assertThat(fullVda.bytesRead()).isLessThan(RepoFixture.SIZE).isGreaterThan(0);
        assertThat(p1.manifest().disk("vda").orElseThrow().bytesRead())
                .as("the 3 MiB written between the points, and the 1 MiB written while p0 was read").isEqualTo(4 * M);
        assertThat(p1.manifest().disk("vdb").orElseThrow().bytesRead()).as("zeroes and a discard read nothing")
                .isZero();
        assertThat(p1.manifest().disk("vdb").orElseThrow().bytesWritten()).isEqualTo(3 * M);
        assertThat(p2.manifest().bytesRead()).as("64 KiB of vda, and vdb's 1 MiB written while p1 was read")
                .isEqualTo(M + (64 << 10));

        // the manifests' digests are those of the raw references
        assertThat(fullVda.sha256()).isEqualTo(RepoFixture.sha256(ref0a));
        assertThat(p1.manifest().disk("vdb").orElseThrow().sha256()).isEqualTo(RepoFixture.sha256(ref1b));
        assertThat(p2.manifest().disk("vda").orElseThrow().sha256()).isEqualTo(RepoFixture.sha256(ref2a));

        // incrementals name their base by a relative path
        assertThat(Tools.run("qemu-img", "info", "-U", p2.file(p2.manifest().disk("vda").orElseThrow()).toString()))
                .contains("backing file: ../" + p1.name() + "/vda.qcow2");
        assertThat(Files.size(p0.file(fullVda))).as("holes and zeroes stay holes").isLessThan(RepoFixture.SIZE);

        assertRestores(repo, p0, ref0a, ref0b);
        assertRestores(repo, p1, ref1a, ref1b);
        assertRestores(repo, p2, ref2a, ref2b);

        VerifyReport ok = RepoVerify.verify(repo, Optional.empty(), lines::add);
        assertThat(ok.failures()).isEmpty();
        assertThat(ok.checked()).containsExactly(p0.name() + "/vda", p0.name() + "/vdb", p1.name() + "/vda",
                p1.name() + "/vdb", p2.name() + "/vda", p2.name() + "/vdb");
        assertThat(repo.points()).extracting(Point::name).containsExactly(p0.name(), p1.name(), p2.name());
        assertThat(RepoList.table(repo.points())).contains(p1.name() + "  vm1").contains(" inc ");
        assertThat(f.domain().listAllCheckpoints(Set.<CheckpointListFlag>of())).extracting(c -> c.name())
                .containsExactly(p0.name(), p1.name(), p2.name());

        // the repository moves as a whole: a copy restores on its own
        Path moved = tmp.resolve("moved");
        Tools.run("cp", "-a", repo.root().toString(), moved.toString());
        Repository copy = Repository.open(moved);
        RepoRestore.restore(copy, tmp.resolve("from-copy"), Optional.of(p2.name()), List.of("vda"), "raw", lines::add);
        assertThat(Files.mismatch(tmp.resolve("from-copy/vda.raw"), ref2a)).isEqualTo(-1);

        // a flipped byte in a data cluster of p1's vda is found, and named
        Path damaged = p1.file(p1.manifest().disk("vda").orElseThrow());
        long at = RepoFixture.firstDataOffset(damaged) + 4096;
        try (RandomAccessFile r = new RandomAccessFile(damaged.toFile(), "rw")) {
            r.seek(at);
            int b = r.read();
            r.seek(at);
            r.write(b ^ 0xff);
        }
        VerifyReport bad = RepoVerify.verify(repo, Optional.of(p1.name()), lines::add);
        assertThat(bad.checked()).hasSize(4);
        assertThat(bad.failures()).hasSize(1);
        assertThat(bad.failures().get(0).point()).isEqualTo(p1.name());
        assertThat(bad.failures().get(0).disk()).isEqualTo("vda");
        assertThat(bad.failures().get(0).reason()).contains("content differs from the manifest");

        // damaged block digests, which the next incremental would start from, are found too
        DiskEntry p2b = p2.manifest().disk("vdb").orElseThrow();
        Path sums = BlockDigests.fileOf(p2.file(p2b));
        byte[] d = Files.readAllBytes(sums);
        d[40] ^= 1;
        Files.write(sums, d);
        VerifyReport badSums = RepoVerify.verify(repo, Optional.of(p2.name()), lines::add);
        assertThat(badSums.failures()).extracting(VerifyReport.Failure::disk).contains("vdb");
        assertThat(badSums.failures()).filteredOn(x -> x.disk().equals("vdb")).singleElement()
                .satisfies(x -> assertThat(x.reason()).startsWith("block digests '" + sums + "' differ"));
    }

    private void assertRestores(Repository r, Point p, Path refA, Path refB) throws Exception {
        Path out = tmp.resolve("restore-" + p.name());
        List<Path> images = RepoRestore.restore(r, out, Optional.of(p.name()), List.of(), "raw", lines::add);
        assertThat(images).containsExactly(out.resolve("vda.raw"), out.resolve("vdb.raw"));
        assertThat(Files.mismatch(out.resolve("vda.raw"), refA)).as("vda of %s", p.name()).isEqualTo(-1);
        assertThat(Files.mismatch(out.resolve("vdb.raw"), refB)).as("vdb of %s", p.name()).isEqualTo(-1);
        Path q = tmp.resolve("restore-q-" + p.name());
        RepoRestore.restore(r, q, Optional.of(p.name()), List.of("vdb"), "qcow2", lines::add);
        assertThat(Tools.run("qemu-img", "compare", "-f", "qcow2", "-F", "raw", q.resolve("vdb.qcow2").toString(),
                refB.toString())).contains("Images are identical");
        assertThat(Tools.run("qemu-img", "info", q.resolve("vdb.qcow2").toString())).doesNotContain("backing file");
    }
}
