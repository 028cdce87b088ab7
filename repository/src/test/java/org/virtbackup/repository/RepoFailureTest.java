// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.testing.RequiresQemu;

/** A read that fails mid-backup leaves no point that looks complete, discards the checkpoint; the next run works. */
@RequiresQemu
@Timeout(300)
class RepoFailureTest extends RepoTestBase {
    private static final long M = 1 << 20;

    /** Scratch images in the test's directory: the default place derives from the disk's file name, which the
     * failing node changes. */
    Point backup(Level level) {
        return new RepoBackup(repo, Clock.systemUTC(), lines::add).run(f.domain(),
                new BackupRequest(level, List.of("vda", "vdb"), 4, Optional.of(tmp)));
    }

    @Test
    void aReadErrorMidBackupKeepsNothingDiscardsTheCheckpointAndTheNextBackupContinuesTheChain() throws Exception {
        Point p0 = backup(Level.FULL);
        f.qemu.guestWrite("vda", 0, 2 * M, 0x51);
        f.qemu.guestWrite("vdb", 6 * M, M, 0x52);
        f.qemu.guestFlush("vda");
        f.failReadsOfVdaAt(RepoFixture.firstDataOffset(f.vda) + M);

        VirtBackupException e = catchThrowableOfType(() -> backup(Level.AUTO), VirtBackupException.class);
        assertThat(e.code()).as("%s", e).isEqualTo(ErrorCode.READ_FAILED);
        assertThat(e).hasMessageContaining("cannot read").hasMessageContaining("nbd+unix:///vda");
        assertThat(lines).anyMatch(l -> l.startsWith("backup failed, checkpoint discarded"));
        assertThat(repo.points()).extracting(Point::name).containsExactly(p0.name());
        try (Stream<Path> s = Files.list(repo.root().resolve("vm1"))) {
            assertThat(s.map(p -> p.getFileName().toString())).as("no partial point is left")
                    .containsExactly(p0.name());
        }
        assertThat(f.domain().listAllCheckpoints(Set.<CheckpointListFlag>of())).extracting(c -> c.name())
                .as("the failed run's checkpoint is discarded").containsExactly(p0.name());
        assertThat(f.domain().currentBackup()).as("the job is ended").isEmpty();

        f.healVda();
        Path stale = repo.partialDir("vm1", "repo-killed");
        Files.createDirectories(stale);
        Files.writeString(stale.resolve("vda.qcow2"), "left by a killed run");
        assertThat(repo.points()).as("a partial point is never listed").hasSize(1);

        Path refA = f.reference("vda", tmp.resolve("vda.ref.raw"));
        Path refB = f.reference("vdb", tmp.resolve("vdb.ref.raw"));
        Point p1 = backup(Level.AUTO);
        assertThat(p1.manifest().level()).isEqualTo(Level.INC);
        assertThat(p1.manifest().parent()).contains(p0.name());
        assertThat(p1.manifest().disk("vda").orElseThrow().bytesRead()).as("the changes the failed run missed")
                .isEqualTo(2 * M);
        assertThat(stale).doesNotExist();
        List<Path> images = RepoRestore.restore(repo, tmp.resolve("out"), Optional.empty(), List.of(), "raw",
                lines::add);
        assertThat(Files.mismatch(images.get(0), refA)).isEqualTo(-1);
        assertThat(Files.mismatch(images.get(1), refB)).isEqualTo(-1);
        assertThat(RepoVerify.verify(repo, Optional.empty(), lines::add).ok()).isTrue();
    }

    @Test
    void anIncrementalWithoutAFullIsRefusedAndAutoTakesAFull() {
        VirtBackupException e = catchThrowableOfType(() -> backup(Level.INC), VirtBackupException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_INVALID);
        assertThat(e).hasMessage("cannot take an incremental backup: the repository has no point of this domain; "
                + "take a full one (--level full)");
        assertThat(f.domain().currentBackup()).isEmpty();
        assertThat(backup(Level.AUTO).manifest().level()).isEqualTo(Level.FULL);
    }

    @Test
    void restoreRefusesUnknownPointsDisksAndExistingImages() throws Exception {
        Point p0 = new RepoBackup(repo, Clock.systemUTC(), lines::add).run(f.domain(),
                new BackupRequest(Level.FULL, List.of("vdb"), 2, Optional.empty()));
        assertThat(p0.manifest().disks()).extracting(DiskEntry::name).containsExactly("vdb");
        Path out = tmp.resolve("out");
        assertThat(catchThrowableOfType(() -> RepoRestore.restore(repo, out, Optional.of("nope"), List.of(), "raw",
                lines::add), VirtBackupException.class)).hasMessageContaining("no point 'nope'");
        assertThat(catchThrowableOfType(() -> RepoRestore.restore(repo, out, Optional.empty(), List.of("vda"),
                "raw", lines::add), VirtBackupException.class))
                .hasMessage("point '" + p0.name() + "' has no disk 'vda' (it has vdb)");
        assertThat(catchThrowableOfType(() -> RepoRestore.restore(repo, out, Optional.empty(), List.of(), "vmdk",
                lines::add), VirtBackupException.class).code()).isEqualTo(ErrorCode.INVALID_ARG);
        RepoRestore.restore(repo, out, Optional.empty(), List.of(), "qcow2", lines::add);
        assertThat(catchThrowableOfType(() -> RepoRestore.restore(repo, out, Optional.empty(), List.of(), "qcow2",
                lines::add), VirtBackupException.class)).hasMessageContaining("never overwrites");
    }
}
