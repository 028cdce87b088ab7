// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.BackupStartFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.launch.DiskDataGenerator;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * After QEMU crashed, a checkpoint's bitmap comes back inconsistent (qemu-7.2-qmp-notes.md §7). Without the
 * flag the incremental backup is refused naming the disk; with INCREMENTAL_FALLBACK_FULL that disk is backed up
 * in full, the job says so, and the result is a correct image.
 */
@RequiresQemu
@Timeout(180)
class FallbackFullTest {

    @TempDir
    Path tmp;

    private EmbeddedQemu start(String run, Path vda, Path vdb) {
        return EmbeddedQemu.builder().workDir(tmp.resolve("qemu-" + run)).disk(vda, "vda").disk(vdb, "vdb").start();
    }

    private Connection connect(EmbeddedQemu qemu) {
        return Connections.open(qemu.qmpUri("vm1"), Map.of("stateDir", tmp.resolve("state").toString()));
    }

    @Test
    void anInconsistentBitmapAfterACrashFallsBackToAFullBackupOfThatDisk() throws Exception {
        Path vda = tmp.resolve("vda.qcow2");
        Path vdb = tmp.resolve("vdb.qcow2");
        DiskDataGenerator.generate(vda, ImageFormat.QCOW2, 16L << 20, 1);
        DiskDataGenerator.generate(vdb, ImageFormat.QCOW2, 16L << 20, 2);
        try (EmbeddedQemu first = start("1", vda, vdb); Connection c = connect(first)) {
            String full = PushBackupTest.pushXml(null, tmp.resolve("vda.full.qcow2"), tmp.resolve("vdb.full.qcow2"));
            c.domain().backupStart(full, PushBackupTest.checkpointXml("cp1"), Set.of()).awaitCompletion(Duration.ofSeconds(60));
            c.domain().backupEnd(Set.of());
        } // a clean shutdown writes cp1 into both images
        try (EmbeddedQemu second = start("2", vda, vdb)) {
            second.guestWrite("vda", 1 << 20, 64 << 10, 0x21);
            second.guestWrite("vdb", 2 << 20, 64 << 10, 0x22);
            second.kill(); // cp1 was loaded by this QEMU: in the images it stays flagged in-use
        }
        try (EmbeddedQemu third = start("3", vda, vdb); Connection c = connect(third)) {
            String inc = PushBackupTest.pushXml("cp1", tmp.resolve("vda.inc.qcow2"), tmp.resolve("vdb.inc.qcow2"));
            VirtBackupException refused = catchThrowableOfType(
                    () -> c.domain().backupStart(inc, PushBackupTest.checkpointXml("cp2"), Set.of()), VirtBackupException.class);
            assertThat(refused.code()).isEqualTo(ErrorCode.CHECKPOINT_INCONSISTENT);
            assertThat(refused).hasMessageContaining("'cp1'").hasMessageContaining("'vda'");

            JobInfo done = c.domain().backupStart(inc, PushBackupTest.checkpointXml("cp2"),
                    EnumSet.of(BackupStartFlag.INCREMENTAL_FALLBACK_FULL)).awaitCompletion(Duration.ofSeconds(60));
            assertThat(done.state()).isEqualTo(JobState.COMPLETED);
            assertThat(done.notes()).anyMatch(n -> n.startsWith("disk 'vda' backed up in full"))
                    .anyMatch(n -> n.startsWith("disk 'vdb' backed up in full"));
            JobInfo end = c.domain().backupEnd(Set.of());
            assertThat(end.diskProcessed().getAsLong()).as("both disks copied in full").isEqualTo(2 * (16L << 20));
            third.guestFlush("vda");
            third.guestFlush("vdb");
            // The fallback target is a full image: it restores on its own, and equals the disk now.
            assertThat(QemuImg.identical(vda, tmp.resolve("vda.inc.qcow2"), true)).isTrue();
            assertThat(QemuImg.identical(vdb, tmp.resolve("vdb.inc.qcow2"), true)).isTrue();
            assertThat(QemuImg.info(tmp.resolve("vda.inc.qcow2"), true).backingFile()).isEmpty();
        }
    }
}
