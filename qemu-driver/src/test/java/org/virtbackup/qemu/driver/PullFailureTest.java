// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtbackup.api.Domain;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.testing.RequiresQemu;

/** Every way a pull backup can fail, each followed by a check that nothing was left behind. */
@RequiresQemu
@Timeout(120)
class PullFailureTest extends DomainTest {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /**
     * QEMU 7.2's classic fleecing cannot keep a full scratch from hurting the guest: the backup job's
     * copy-before-write filter has no {@code on-cbw-error} ({@code blockdev-backup} lacks it), so its default,
     * break-guest-write, fails the guest write with ENOSPC (a real virtio-blk guest with the default
     * {@code werror=enospc} would pause). The fleecing job itself keeps running without an error, and the export
     * stays consistent because the failed write never reaches the disk. The copy-before-write + snapshot-access
     * way with {@code on-cbw-error=break-snapshot} (driver option {@code pullMethod=cbw}, PullCbwTest) avoids this.
     */
    @Test
    void aFullScratchFailsGuestWritesButKeepsTheExportConsistentAndEndsClean() throws Exception {
        Path small = Files.createDirectory(tmp.resolve("small"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", small.toString())
                .inheritIO().start();
        if (mount.waitFor() != 0) {
            fail("cannot mount a 4 MiB tmpfs for the ENOSPC test (needs root)");
        }
        try {
            Path ref = PullChecks.reference(f, f.vda, tmp.resolve("vda.ref.raw"));
            Path socket = tmp.resolve("nbd.sock");
            Domain dom = f.domain();
            String xml = "<domainbackup mode='pull'>" + PullChecks.unixServer(socket) + "<disks>"
                    + "<disk name='vda' type='file'><scratch file='" + small.resolve("vda.scratch.qcow2") + "'/></disk>"
                    + "</disks></domainbackup>";
            dom.backupStart(xml, null, Set.of());
            for (int i = 0; i < 8; i++) {
                f.qemu.guestWrite("vda", (long) i << 20, 1 << 20, 0x66);
            }
            assertThat(Files.readString(f.qemu.logFile())).as("guest writes broke on the full scratch")
                    .contains("write failed: No space left on device");
            JobInfo info = dom.jobInfo(false);
            assertThat(info.state()).as("QEMU 7.2 does not fail the fleecing job: %s", info).isEqualTo(JobState.RUNNING);
            assertThat(info.errorMessage()).isEmpty();

            Path copy = tmp.resolve("vda.pull.raw");
            NbdClients.nbdcopy("nbd+unix:///vda?socket=" + socket, copy).ok();
            assertThat(Files.mismatch(copy, ref)).as("the export still holds the point in time").isEqualTo(-1);

            JobInfo end = dom.backupEnd(Set.of());
            assertThat(end.state()).isEqualTo(JobState.COMPLETED);
            assertThat(end.errorMessage()).isEmpty();
            assertThat(small.resolve("vda.scratch.qcow2")).doesNotExist();
            PullChecks.assertNbdServerStopped(f);
            f.assertNoLeftoversInQemu();
            Path after = PullChecks.reference(f, f.vda, tmp.resolve("vda.after.raw"));
            assertThat(range(after, 7 << 20)).as("the last write failed: the disk keeps its old data")
                    .isEqualTo(range(ref, 7 << 20));
            assertThat(range(after, 0)).as("the first write landed").isNotEqualTo(range(ref, 0));
            assertThat(f.strayFiles()).containsExactlyInAnyOrder("small", "vda.ref.raw", "vda.after.raw",
                    "vda.pull.raw");
        } finally {
            new ProcessBuilder("umount", small.toString()).inheritIO().start().waitFor();
        }
    }

    /**
     * A scratch that fails with EIO (a blkdebug node slid under the running scratch, as for the push target):
     * classic fleecing's copy-before-write fails the guest write, not the export, which keeps the point in
     * time; the end removes everything, the scratch file included.
     */
    @Test
    void aScratchFailingWithEioFailsGuestWritesButKeepsTheExportConsistentAndEndsClean() throws Exception {
        Path ref = PullChecks.reference(f, f.vda, tmp.resolve("vda.ref.raw"));
        Path socket = tmp.resolve("nbd.sock");
        Path scratch = tmp.resolve("vda.scratch.qcow2");
        Domain dom = f.domain();
        dom.backupStart("<domainbackup mode='pull'>" + PullChecks.unixServer(socket) + "<disks>"
                + "<disk name='vda' type='file'><scratch file='" + scratch + "'/></disk></disks></domainbackup>",
                null, Set.of());
        f.failWritesUnder("vb-vda-scratch-format", scratch, f.qemu.disks().get(0).formatNode());

        f.qemu.guestWrite("vda", 0, 1 << 20, 0x77);
        assertThat(Files.readString(f.qemu.logFile())).as("the guest write broke on the failing scratch")
                .contains("write failed: Input/output error");
        Path copy = tmp.resolve("vda.pull.raw");
        NbdClients.nbdcopy("nbd+unix:///vda?socket=" + socket, copy).ok();
        assertThat(Files.mismatch(copy, ref)).as("the export still holds the point in time").isEqualTo(-1);

        assertThat(dom.backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
        f.removeFailingNode();
        assertThat(scratch).doesNotExist();
        PullChecks.assertNbdServerStopped(f);
        f.assertNoLeftoversInQemu();
        assertThat(f.strayFiles()).containsExactlyInAnyOrder("vda.ref.raw", "vda.pull.raw");
    }

    private static byte[] range(Path raw, long offset) throws Exception {
        try (java.io.RandomAccessFile r = new java.io.RandomAccessFile(raw.toFile(), "r")) {
            byte[] b = new byte[1 << 20];
            r.seek(offset);
            r.readFully(b);
            return b;
        }
    }

    @Test
    void twoDisksWithOneExportNameAreRefusedBeforeAnythingIsCreated() throws Exception {
        String xml = "<domainbackup mode='pull'>" + PullChecks.unixServer(tmp.resolve("nbd.sock")) + "<disks>"
                + "<disk name='vda' type='file' exportname='same'><scratch file='" + tmp.resolve("a.qcow2") + "'/></disk>"
                + "<disk name='vdb' type='file' exportname='same'><scratch file='" + tmp.resolve("b.qcow2") + "'/></disk>"
                + "</disks></domainbackup>";
        VirtBackupException e = catchThrowableOfType(() -> f.domain().backupStart(xml, null, Set.of()),
                VirtBackupException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_UNSUPPORTED);
        assertThat(e).hasMessage("export name 'same' used twice");
        assertThat(f.strayFiles()).isEmpty();
        f.assertNoLeftoversInQemu();
        PullChecks.assertNbdServerStopped(f);
    }

    @Test
    void anNbdServerThatIsAlreadyRunningFailsTheStartWithFullRollbackAndIsLeftAlone() throws Exception {
        Path other = tmp.resolve("other.sock");
        f.qemu.control(new QmpCommand("nbd-server-start", JSON.objectNode().set("addr", JSON.objectNode()
                .put("type", "unix").set("data", JSON.objectNode().put("path", other.toString())))));
        f.qemu.control(new QmpCommand("block-export-add", JSON.objectNode().put("type", "nbd").put("id", "theirs")
                .put("node-name", "vda-format").put("name", "vda").put("writable", false)));
        try {
            Path socket = tmp.resolve("nbd.sock");
            VirtBackupException e = catchThrowableOfType(() -> f.domain().backupStart(
                    PullChecks.pullXml(null, PullChecks.unixServer(socket), tmp),
                    PushBackupTest.checkpointXml("cp1"), Set.of()), VirtBackupException.class);
            assertThat(e).hasMessageContaining("nbd-server-start").hasMessageContaining("already running");
            assertThat(tmp.resolve("vda.scratch.qcow2")).doesNotExist();
            assertThat(tmp.resolve("vdb.scratch.qcow2")).doesNotExist();
            assertThat(f.domain().listAllCheckpoints(Set.of())).isEmpty();
            assertThat(f.state.resolve("vm1/backup.json")).doesNotExist();
            assertThat(f.qemu.control(QmpCommand.of("query-block-exports")).findValuesAsText("id"))
                    .as("the other server's export is left alone").containsExactly("theirs");
            assertThat(NbdClients.nbdinfo("nbd+unix:///vda?socket=" + other).exitCode()).isZero();
        } finally {
            f.qemu.control(QmpCommand.of("nbd-server-stop"));
        }
        f.assertNoLeftoversInQemu();
        assertThat(f.strayFiles()).isEmpty();
    }

    @Test
    void qemuKilledWhileAClientReadsIsCleanedUpFromANewConnection() throws Exception {
        Path socket = tmp.resolve("nbd.sock");
        f.domain().backupStart(PullChecks.pullXml(null, PullChecks.unixServer(socket), tmp), null, Set.of());
        Process client = new ProcessBuilder("nbdcopy", "nbd+unix:///vda?socket=" + socket, "-")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            assertThat(client.getInputStream().read()).as("the client is reading").isNotNegative();
            f.qemu.kill();
            client.getInputStream().close(); // the client ends on the closed pipe or on the dropped connection
            assertThat(client.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } finally {
            client.destroyForcibly();
        }
        Domain dom = f.reconnect();
        JobInfo end = dom.backupEnd(Set.of());
        assertThat(end.state()).isEqualTo(JobState.FAILED);
        assertThat(end.errorMessage()).hasValueSatisfying(m -> assertThat(m)
                .startsWith("QEMU exited before the backup job ended"));
        assertThat(tmp.resolve("vda.scratch.qcow2")).doesNotExist();
        assertThat(tmp.resolve("vdb.scratch.qcow2")).doesNotExist();
        assertThat(f.state.resolve("vm1/backup.json")).doesNotExist();
        assertThat(dom.backupEnd(Set.of())).as("ending again is harmless").isEqualTo(end);
        assertThat(f.strayFiles()).isEmpty();
    }
}
