// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.JobState;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.launch.DiskDataGenerator;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.testing.RequiresQemu;
import org.virtbackup.repository.Level;
import org.virtbackup.repository.Point;
import org.virtbackup.repository.RepoLock;
import org.virtbackup.repository.RepoRestore;
import org.virtbackup.repository.Repository;

@RequiresQemu
@Timeout(180)
class KeepBackupsTest {

    @TempDir
    Path tmp;

    Path vda;
    Path vdb;
    Path repo;
    EmbeddedQemu qemu;
    Map<String, String> options;
    final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void start() {
        vda = tmp.resolve("vda.qcow2");
        vdb = tmp.resolve("vdb.qcow2");
        DiskDataGenerator.generate(vda, ImageFormat.QCOW2, 32L << 20, 11);
        DiskDataGenerator.generate(vdb, ImageFormat.QCOW2, 16L << 20, 12);
        qemu = EmbeddedQemu.builder().workDir(tmp.resolve("qemu")).disk(vda, "vda").disk(vdb, "vdb").start();
        options = Map.of("stateDir", tmp.resolve("state").toString());
        repo = tmp.resolve("repo");
    }

    @AfterEach
    void stop() throws Exception {
        try (Connection c = Connections.open(qemu.qmpUri("vm1"), options)) {
            assertThat(c.domain().jobInfo(false).state()).as("no backup job left").isEqualTo(JobState.NONE);
        } finally {
            qemu.close();
        }
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no scratch image left")
                    .containsOnly("vda.qcow2", "vdb.qcow2", "qemu", "state", "repo", "vda.ref", "vdb.ref", "out");
        }
    }

    @Test
    void threeNightsKeepTwoRestorablePointsAndABusyRepositoryIsRefused() throws Exception {
        KeepBackups.Outcome first = run();
        assertThat(first.point().manifest().level()).isEqualTo(Level.FULL);

        qemu.guestWrite("vda", 1 << 20, 128 << 10, 0xaa);
        KeepBackups.Outcome second = run();
        assertThat(second.point().manifest().parent()).contains(first.point().name());

        try (RepoLock busy = RepoLock.acquire(Repository.open(repo), "backup")) {
            VirtBackupException e = catchThrowableOfType(this::run, VirtBackupException.class);
            assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_BUSY);
        }

        qemu.guestWrite("vdb", 2 << 20, 1 << 20, 0xbb);
        qemu.guestFlush("vda");
        qemu.guestFlush("vdb");
        QemuImg.snapshotToRaw(vda, ImageFormat.QCOW2, tmp.resolve("vda.ref"));
        QemuImg.snapshotToRaw(vdb, ImageFormat.QCOW2, tmp.resolve("vdb.ref"));
        KeepBackups.Outcome third = run();
        assertThat(third.removed()).containsExactly(first.point().name());
        assertThat(third.verified().checked()).hasSize(4);
        assertThat(Repository.open(repo).points()).extracting(Point::name)
                .containsExactly(second.point().name(), third.point().name());

        Path out = tmp.resolve("out");
        RepoRestore.restore(Repository.open(repo), out, Optional.empty(), List.of(), "raw", l -> { });
        assertThat(Files.mismatch(out.resolve("vda.raw"), tmp.resolve("vda.ref"))).isEqualTo(-1);
        assertThat(Files.mismatch(out.resolve("vdb.raw"), tmp.resolve("vdb.ref"))).isEqualTo(-1);
    }

    private KeepBackups.Outcome run() {
        KeepBackups.Outcome o = KeepBackups.run(qemu.qmpUri("vm1").toString(), options, repo, 2,
                new PrintStream(log, true, StandardCharsets.UTF_8));
        assertThat(o.verified().ok()).as(log.toString(StandardCharsets.UTF_8)).isTrue();
        return o;
    }
}
