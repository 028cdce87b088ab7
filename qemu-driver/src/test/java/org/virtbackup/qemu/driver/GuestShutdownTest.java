// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.BackupStartFlag;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.qemu.plan.Qmp;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * A guest that shuts down during a backup, on a real QEMU without a guest OS: the firmware (SeaBIOS) finds
 * nothing to boot and resets the machine at once ({@code -boot reboot-timeout=0}), and the reboot action
 * {@code shutdown} ({@code -action reboot=shutdown}, what {@code -no-reboot} does) turns that reset into a
 * shutdown the guest initiated: QEMU emits {@code SHUTDOWN} with {@code guest: true} about 0.4 s after
 * {@code cont}. Until the test sends {@code cont}, the guest does not run.
 */
@RequiresQemu
@Timeout(120)
class GuestShutdownTest {

    @TempDir
    Path tmp;

    private DomainFixture fixture() {
        return new DomainFixture(tmp, 16L << 20, "-boot", "reboot-timeout=0", "-action", "reboot=shutdown");
    }

    /**
     * With {@code PRESERVE_ON_GUEST_SHUTDOWN} the guest's shutdown pauses it: the pull's exports are read, vda before
     * the shutdown and vdb after it, equal to the disks at the backup's instant (a write to vdb after the shutdown
     * is not in its copy), the job
     * completes with a note, its checkpoint stays, and QEMU exits after the end, as the guest asked.
     */
    @Test
    void aPullWithPreserveOutlivesTheGuestsShutdownAndQemuStopsAfterTheEnd() throws Exception {
        try (DomainFixture f = fixture()) {
            Path vdaRef = PullChecks.reference(f, f.vda, tmp.resolve("vda.ref.raw"));
            Path vdbRef = PullChecks.reference(f, f.vdb, tmp.resolve("vdb.ref.raw"));
            Path socket = tmp.resolve("nbd.sock");
            f.domain().backupStart(PullChecks.pullXml(null, PullChecks.unixServer(socket), tmp),
                    PushBackupTest.checkpointXml("c1"), EnumSet.of(BackupStartFlag.PRESERVE_ON_GUEST_SHUTDOWN));
            f.disconnect();
            Path vdaCopy = tmp.resolve("vda.pull.raw");
            Path vdbCopy = tmp.resolve("vdb.pull.raw");
            NbdClients.nbdcopy("nbd+unix:///vda?socket=" + socket, vdaCopy).ok(); // before the shutdown
            f.qemu.control(Qmp.cont());
            awaitStatus(f, "shutdown");
            f.qemu.guestWrite("vdb", 0, 64 << 10, 0x77); // after the instant: not in the copy
            NbdClients.nbdcopy("nbd+unix:///vdb?socket=" + socket, vdbCopy).ok(); // after it
            assertThat(Files.mismatch(vdaCopy, vdaRef)).as("vda read across the shutdown").isEqualTo(-1);
            assertThat(Files.mismatch(vdbCopy, vdbRef)).as("vdb read across the shutdown").isEqualTo(-1);
            assertThat(f.qemu.isAlive()).as("QEMU waits for the job").isTrue();

            JobInfo end = f.domain().backupEnd(Set.of());
            assertThat(end.state()).isEqualTo(JobState.COMPLETED);
            assertThat(end.notes()).contains(BackupEnder.SHUT_DOWN_NOTE);
            awaitExit(f);
            assertThat(f.reconnect().checkpointLookupByName("c1").isCurrent()).isTrue();
            assertThat(f.state.resolve("vm1/backup.json")).doesNotExist();
            assertThat(tmp.resolve("vda.scratch.qcow2")).doesNotExist();
            assertThat(socket).doesNotExist();
        }
    }

    /**
     * Without the flag QEMU exits when the guest shuts down (its default action), which fails the push: the end
     * says so, deletes the targets, and discards the job's checkpoint, so that no later incremental starts
     * from a backup that was never made.
     */
    @Test
    void withoutPreserveTheShutdownFailsThePushAndDiscardsItsCheckpoint() throws Exception {
        try (DomainFixture f = fixture()) {
            Path vdaTarget = tmp.resolve("vda.bak.qcow2");
            Path vdbTarget = tmp.resolve("vdb.bak.qcow2");
            f.slow().backupStart(PushBackupTest.pushXml(null, vdaTarget, vdbTarget), PushBackupTest.checkpointXml("c1"),
                    Set.of());
            f.disconnect();
            assertThat(vdaTarget).exists();
            f.qemu.control(Qmp.cont());
            awaitExit(f);

            JobInfo end = f.reconnect().backupEnd(Set.of());
            assertThat(end.state()).isEqualTo(JobState.FAILED);
            assertThat(end.errorMessage()).hasValueSatisfying(m -> assertThat(m).contains("the guest shut down")
                    .contains("checkpoint 'c1' is discarded"));
            assertThat(vdaTarget).doesNotExist();
            assertThat(vdbTarget).doesNotExist();
            assertThat(f.domain().listAllCheckpoints(Set.<CheckpointListFlag>of())).isEmpty();
            assertThat(f.state.resolve("vm1/backup.json")).doesNotExist();
        }
    }

    private static void awaitStatus(DomainFixture f, String status) throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            if (f.qemu.control(Qmp.queryStatus()).path("status").asText().equals(status)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("QEMU's status did not become '" + status + "'");
    }

    private static void awaitExit(DomainFixture f) throws InterruptedException {
        for (int i = 0; i < 300 && f.qemu.isAlive(); i++) {
            Thread.sleep(50);
        }
        assertThat(f.qemu.isAlive()).as("QEMU exited").isFalse();
    }
}
