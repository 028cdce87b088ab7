// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.nbd.testing.Tools;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.testing.QemuLeftovers;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * Faults in the middle of a {@code repo backup} on a real QEMU: the export vanishes, QEMU is killed, the
 * repository's disk fills up, a second run wants the same repository. Never a point that looks complete, the
 * run's checkpoint discarded, nothing left behind, and the next run good (its points restore to the disks).
 */
@RequiresQemu
@Timeout(300)
class RepoFaultTest extends RepoTestBase {
    private static final long M = 1 << 20;

    /** One connection per disk, so that the fault lands between two chunks of the same disk. */
    Point backup(Repository r, Level level, Runnable afterFirstChunk) {
        AtomicBoolean fired = new AtomicBoolean();
        return new RepoBackup(r, Clock.systemUTC(), lines::add, p -> {
            if (p.done() > 0 && !fired.getAndSet(true)) {
                afterFirstChunk.run();
            }
        }).run(f.domain(), new BackupRequest(level, List.of(), 1, Optional.empty()));
    }

    @Test
    void theExportVanishingMidReadKeepsNothingAndTheNextIncrementalCoversTheChanges() throws Exception {
        Point p0 = backup(repo, Level.FULL, () -> { });
        f.qemu.guestWrite("vda", 4 * M, 12 * M, 0x61);

        VirtBackupException e = catchThrowableOfType(() -> backup(repo, Level.AUTO,
                () -> f.qemu.control(QmpCommand.of("nbd-server-stop"))), VirtBackupException.class);
        assertThat(e.code()).as("%s", e).isEqualTo(ErrorCode.READ_FAILED);
        assertNothingKept(List.of(p0.name()));
        assertThat(QemuLeftovers.inspect(f.qemu).isClean()).as("%s", QemuLeftovers.inspect(f.qemu)).isTrue();

        Point p1 = assertNextRunGood(Level.INC);
        assertThat(p1.manifest().parent()).contains(p0.name());
        assertThat(p1.manifest().disk("vda").orElseThrow().bytesRead()).as("the changes the failed run missed")
                .isEqualTo(12 * M);
    }

    @Test
    void qemuKilledMidReadKeepsNothingAndTheNextRunAfterItsRestartTakesAFull() throws Exception {
        Point p0 = backup(repo, Level.FULL, () -> { });
        f.qemu.guestWrite("vda", 4 * M, 12 * M, 0x62);
        f.qemu.guestFlush("vda");

        VirtBackupException e = catchThrowableOfType(() -> backup(repo, Level.AUTO, f.qemu::kill),
                VirtBackupException.class);
        assertThat(e).as("%s", e).isNotNull();
        assertThat(repo.points()).extracting(Point::name).containsExactly(p0.name());
        assertThat(lines).anyMatch(l -> l.startsWith("backup failed"));

        f.restart();
        Point p1 = assertNextRunGood(Level.FULL);
        assertThat(lines).as("the bitmaps of a killed QEMU are not trusted for an incremental")
                .anyMatch(l -> l.startsWith("full backup of 'vm1' into point " + p1.name()));
        assertThat(f.domain().listAllCheckpoints(Set.<CheckpointListFlag>of())).extracting(c -> c.name())
                .as("the failed run's checkpoint is gone").doesNotContain(failedCheckpoint());
        assertThat(QemuLeftovers.inspect(f.qemu).isClean()).as("%s", QemuLeftovers.inspect(f.qemu)).isTrue();
    }

    @Test
    void aFullRepositoryDiskKeepsNothingDiscardsTheCheckpointAndTheNextRunWithRoomIsGood() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "mounting a small tmpfs for the repository needs root; run the tests as root to cover a full disk");
        Path small = Files.createDirectories(tmp.resolve("small"));
        Tools.run("mount", "-t", "tmpfs", "-o", "size=6m,mode=0700", "tmpfs", small.toString());
        try {
            Repository onTmpfs = Repository.create(small.resolve("repo"));
            VirtBackupException e = catchThrowableOfType(() -> backup(onTmpfs, Level.AUTO, () -> { }),
                    VirtBackupException.class);
            assertThat(e.code()).as("%s", e).isEqualTo(ErrorCode.WRITE_FAILED);
            assertThat(e).hasMessageContaining("No space left on device");
            repo = onTmpfs;
            assertNothingKept(List.of());
            assertThat(QemuLeftovers.inspect(f.qemu).isClean()).as("%s", QemuLeftovers.inspect(f.qemu)).isTrue();

            Tools.run("mount", "-o", "remount,size=256m", small.toString());
            assertNextRunGood(Level.FULL);
        } finally {
            Tools.run("umount", "--lazy", small.toString()); // also when a failed test left a file open there
        }
    }

    @Test
    void aSecondRunOnTheSameRepositoryFailsAtOnceWhileTheFirstGoesOn() throws Exception {
        AtomicReference<Throwable> second = new AtomicReference<>();
        Point p0 = backup(repo, Level.FULL, () -> second.set(catchThrowableOfType(() -> new RepoBackup(repo,
                Clock.systemUTC(), l -> { }).run(f.domain(), BackupRequest.of(Level.AUTO)), Throwable.class)));
        assertThat(second.get()).isInstanceOf(VirtBackupException.class);
        VirtBackupException e = (VirtBackupException) second.get();
        assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_BUSY);
        assertThat(e).hasMessageContaining("repository '" + repo.root() + "' is in use by another run (pid "
                + ProcessHandle.current().pid() + ", backup)");
        assertThat(repo.points()).extracting(Point::name).containsExactly(p0.name());
        assertThat(RepoVerify.verify(repo, Optional.empty(), lines::add).ok()).isTrue();
    }

    /** The checkpoint the failed run made, from its log line. */
    private String failedCheckpoint() {
        return lines.stream().filter(l -> l.contains(" into point ")).map(l -> l.replaceAll(".* into point ", ""))
                .skip(1).findFirst().orElseThrow();
    }

    /** Only {@code points} are in the repository (no partial point), the domain has only their checkpoints. */
    private void assertNothingKept(List<String> points) throws Exception {
        assertThat(repo.points()).extracting(Point::name).containsExactlyElementsOf(points);
        Path domainDir = repo.root().resolve("vm1");
        if (Files.isDirectory(domainDir)) {
            try (Stream<Path> s = Files.list(domainDir)) {
                assertThat(s.map(p -> p.getFileName().toString())).as("no partial point is left")
                        .containsExactlyElementsOf(points);
            }
        }
        assertThat(lines).anyMatch(l -> l.startsWith("backup failed, checkpoint discarded"));
        assertThat(f.domain().listAllCheckpoints(Set.<CheckpointListFlag>of())).extracting(c -> c.name())
                .as("the failed run's checkpoint is discarded").containsExactlyElementsOf(points);
        assertThat(f.domain().currentBackup()).as("the job is ended").isEmpty();
        assertThat(ProcessHandle.current().descendants().filter(p -> p.info().command().orElse("")
                .endsWith("qemu-nbd"))).as("no qemu-nbd left running").isEmpty();
    }

    /** A backup now works, at {@code level}, restores to the disks' content and verifies. */
    private Point assertNextRunGood(Level level) throws Exception {
        Path refA = f.reference("vda", tmp.resolve("vda.ref.raw"));
        Path refB = f.reference("vdb", tmp.resolve("vdb.ref.raw"));
        Point p = backup(repo, Level.AUTO, () -> { });
        assertThat(p.manifest().level()).isEqualTo(level);
        Path out = tmp.resolve("restored-" + p.name());
        RepoRestore.restore(repo, out, Optional.of(p.name()), List.of(), "raw", lines::add);
        assertThat(Files.mismatch(out.resolve("vda.raw"), refA)).isEqualTo(-1);
        assertThat(Files.mismatch(out.resolve("vdb.raw"), refB)).isEqualTo(-1);
        assertThat(RepoVerify.verify(repo, Optional.empty(), lines::add).ok()).isTrue();
        return p;
    }
}
