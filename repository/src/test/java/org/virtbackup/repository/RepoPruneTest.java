// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtbackup.nbd.testing.Tools;
import org.virtbackup.qemu.testing.RequiresQemu;

/** {@code prune --keep 2} on full ← inc ← inc ← inc: the newest two points still restore and verify. */
@RequiresQemu
@Timeout(300)
class RepoPruneTest extends RepoTestBase {
    private static final long M = 1 << 20;

    Point backup() {
        return new RepoBackup(repo, Clock.systemUTC(), lines::add).run(f.domain(), BackupRequest.of(Level.AUTO));
    }

    @Test
    void pruneKeepsTheNewestTwoRestorableAndVerified() throws Exception {
        Point p0 = backup();
        f.qemu.guestWrite("vda", 0, 2 * M, 0x71);
        Point p1 = backup();
        f.qemu.guestWrite("vda", 10 * M, M, 0x72);
        f.qemu.guestWriteZeroes("vdb", 0, 4 * M);
        Path ref2a = f.reference("vda", tmp.resolve("p2.vda.raw"));
        Path ref2b = f.reference("vdb", tmp.resolve("p2.vdb.raw"));
        Point p2 = backup();
        f.qemu.guestWrite("vdb", 12 * M, M, 0x73);
        Path ref3a = f.reference("vda", tmp.resolve("p3.vda.raw"));
        Path ref3b = f.reference("vdb", tmp.resolve("p3.vdb.raw"));
        Point p3 = backup();

        assertThat(RepoPrune.prune(repo, 2, lines::add)).containsExactly(p1.name(), p0.name());
        assertThat(repo.points()).extracting(Point::name).containsExactly(p2.name(), p3.name());
        Point base = repo.points().get(0);
        assertThat(base.manifest().level()).isEqualTo(Level.FULL);
        assertThat(base.manifest().parent()).isEmpty();
        assertThat(Tools.run("qemu-img", "info", base.dir().resolve("vda.qcow2").toString()))
                .doesNotContain("backing file");
        assertThat(RepoPrune.prune(repo, 2, lines::add)).as("nothing more to prune").isEmpty();

        VerifyReport report = RepoVerify.verify(repo, Optional.empty(), lines::add);
        assertThat(report.failures()).isEmpty();
        assertThat(report.checked()).hasSize(4);
        for (Object[] c : new Object[][] {{p2, ref2a, ref2b}, {p3, ref3a, ref3b}}) {
            Point p = (Point) c[0];
            Path out = tmp.resolve("r-" + p.name());
            RepoRestore.restore(repo, out, Optional.of(p.name()), List.of(), "raw", lines::add);
            assertThat(Files.mismatch(out.resolve("vda.raw"), (Path) c[1])).isEqualTo(-1);
            assertThat(Files.mismatch(out.resolve("vdb.raw"), (Path) c[2])).isEqualTo(-1);
        }
        Point p4 = backup();
        assertThat(p4.manifest().parent()).as("the chain goes on after a prune").contains(p3.name());
    }
}
