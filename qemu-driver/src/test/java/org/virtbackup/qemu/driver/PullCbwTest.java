// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.Domain;
import org.virtbackup.api.JobEvent;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.qemu.launch.QemuDisk;
import org.virtbackup.qemu.plan.Qmp;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * Pull backups with driver option {@code pullMethod=cbw} (copy-before-write + snapshot-access, qemu-7.2-qmp-notes.md
 * §3 variants B and C) on a real QEMU, read with nbdinfo, nbdcopy and qemu-img.
 */
@RequiresQemu
@Timeout(120)
class PullCbwTest extends DomainTest {

    private static final Map<String, String> CBW = Map.of("pullMethod", "cbw");

    private String drive(String disk) {
        return f.qemu.control(Qmp.qomGet("/machine/peripheral/" + disk + "/virtio-backend", "drive")).asText();
    }

    private String originalNode(String disk) {
        return f.qemu.disks().stream().filter(d -> d.deviceId().equals(disk)).findFirst()
                .map(QemuDisk::formatNode).orElseThrow();
    }

    @Test
    void fullCbwPullWhileTheGuestWritesEqualsThePointInTimeAndPutsTheDriveBack() throws Exception {
        Path vdaRef = PullChecks.reference(f, f.vda, tmp.resolve("vda.ref.raw"));
        Path vdbRef = PullChecks.reference(f, f.vdb, tmp.resolve("vdb.ref.raw"));
        Path socket = tmp.resolve("nbd.sock");
        f.qemu.control(Qmp.cont()); // a running guest: the start pauses it around the point in time
        Domain dom = f.reconnect(CBW);
        dom.backupStart(PullChecks.pullXml(null, PullChecks.unixServer(socket), tmp), null, Set.of());
        assertThat(f.qemu.control(Qmp.queryStatus()).path("running").asBoolean()).as("resumed").isTrue();
        f.qemu.control(Qmp.stop()); // TCG without a guest OS only burns CPU
        assertThat(drive("vda")).isEqualTo("vb-vda-cbw");
        assertThat(drive("vdb")).isEqualTo("vb-vdb-cbw");
        assertThat(NbdClients.nbdinfo("--list", "nbd+unix:///?socket=" + socket).ok().out())
                .contains("export=\"vda\"").contains("export=\"vdb\"").doesNotContain("qemu:dirty-bitmap");
        JobInfo before = dom.jobInfo(false);
        assertThat(before.state()).isEqualTo(JobState.RUNNING);
        assertThat(before.errorMessage()).as("the snapshot probe finds it readable").isEmpty();
        assertThat(before.diskTempTotal()).as("a full pull may copy whole disks").hasValue(2 * DomainFixture.SIZE);
        assertThat(before.diskTempUsed().orElseThrow()).as("qcow2 metadata only").isLessThan(1 << 20);

        PullChecks.copyWhileGuestWrites(f, socket, vdaRef, vdbRef, tmp);
        assertThat(Files.size(tmp.resolve("vda.scratch.qcow2"))).as("old data was copied to scratch")
                .isGreaterThan(1 << 20);
        JobInfo after = dom.jobInfo(false);
        assertThat(after.state()).isEqualTo(JobState.RUNNING);
        assertThat(after.diskTempUsed().orElseThrow()).as("scratch use grew with the overwritten data")
                .isGreaterThan(before.diskTempUsed().orElseThrow() + (2 << 20))
                .isGreaterThanOrEqualTo(Files.size(tmp.resolve("vda.scratch.qcow2")));

        JobInfo end = f.reconnect().backupEnd(Set.of()); // another connection, default method: still a cbw end
        assertThat(end.state()).isEqualTo(JobState.COMPLETED);
        assertThat(end.errorMessage()).isEmpty();
        assertThat(drive("vda")).as("the device is back on its node").isEqualTo(originalNode("vda"));
        assertThat(drive("vdb")).isEqualTo(originalNode("vdb"));
        PullChecks.assertNbdServerStopped(f);
        f.assertNoLeftoversInQemu();
        assertThat(f.strayFiles()).containsExactlyInAnyOrder("vda.ref.raw", "vdb.ref.raw", "vda.pull.raw",
                "vdb.pull.raw");
        f.qemu.guestWrite("vda", 0, 1 << 20, 0x33); // the guest still writes through its own node
    }

    @Test
    void incrementalCbwPullMapsTheWritesAndOnlyDirtyExtentsAreReadable() throws Exception {
        Path socket = tmp.resolve("nbd.sock");
        Domain dom = f.reconnect(CBW);
        dom.backupStart(PullChecks.pullXml(null, PullChecks.unixServer(socket), tmp),
                PushBackupTest.checkpointXml("cp1"), Set.of());
        Path vdaChain = tmp.resolve("vda.chain.raw");
        NbdClients.nbdcopy("nbd+unix:///vda?socket=" + socket, vdaChain).ok();
        assertThat(dom.backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);

        f.qemu.guestWrite("vda", 1 << 20, 128 << 10, 0xaa);
        f.qemu.guestWrite("vda", 20 << 20, 1 << 20, 0xbb);
        Path vdaRef = PullChecks.reference(f, f.vda, tmp.resolve("vda.ref.raw"));

        dom = f.reconnect(CBW);
        dom.backupStart(PullChecks.pullXml("cp1", PullChecks.unixServer(socket), tmp),
                PushBackupTest.checkpointXml("cp2"), Set.of());
        f.qemu.guestWrite("vda", 20 << 20, 1 << 20, 0xcc); // after the point in time, over a dirty area
        f.qemu.guestWrite("vda", 30 << 20, 1 << 20, 0xdd); // after the point in time, clean: not copied
        String uri = "nbd+unix:///vda?socket=" + socket;
        assertThat(NbdClients.dirty(uri, "backup-vda")).containsExactly(
                new NbdClients.Extent(1 << 20, 128 << 10, 1, "dirty"),
                new NbdClients.Extent(20 << 20, 1 << 20, 1, "dirty"));
        assertThat(Files.size(tmp.resolve("vda.scratch.qcow2"))).as("only the dirty cluster range was copied")
                .isLessThan(3L << 20);
        JobInfo info = dom.jobInfo(false);
        assertThat(info.diskTempTotal()).as("only the dirty bytes may be copied (vdb: none since cp1)")
                .hasValue((128 << 10) + (1 << 20));
        assertThat(info.diskTempUsed().orElseThrow()).as("the 1 MiB dirty cluster range overwritten")
                .isGreaterThan(1 << 20).isLessThan(3L << 20);
        NbdClients.Result whole = NbdClients.nbdcopy(uri, tmp.resolve("vda.whole.raw"));
        assertThat(whole.exitCode()).as("clean areas are unreadable through the cbw bitmap (gotcha 11): %s",
                whole.out()).isNotZero();
        Files.deleteIfExists(tmp.resolve("vda.whole.raw"));
        for (NbdClients.Extent e : NbdClients.dirty(uri, "backup-vda")) {
            NbdClients.applyExtent("server.type=unix,server.path=" + socket, "vda", e.offset(), e.length(),
                    vdaChain, tmp);
        }
        assertThat(Files.mismatch(vdaChain, vdaRef)).as("full + dirty extents = point in time").isEqualTo(-1);

        assertThat(f.reconnect().backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
        assertThat(f.domain().checkpointLookupByName("cp2").isCurrent()).isTrue();
        assertThat(drive("vda")).isEqualTo(originalNode("vda"));
        PullChecks.assertNbdServerStopped(f);
        f.assertNoLeftoversInQemu();
        assertThat(f.strayFiles()).containsExactlyInAnyOrder("vda.ref.raw", "vda.chain.raw");
    }

    /**
     * Unlike fleecing ({@code PullFailureTest}), {@code on-cbw-error=break-snapshot} keeps guest writes
     * working when the scratch is full: the snapshot breaks instead, and reading it fails.
     */
    @Test
    void aFullScratchBreaksTheSnapshotNotTheGuest() throws Exception {
        Path small = Files.createDirectory(tmp.resolve("small"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", small.toString())
                .inheritIO().start();
        if (mount.waitFor() != 0) {
            fail("cannot mount a 4 MiB tmpfs for the ENOSPC test (needs root)");
        }
        try {
            Path socket = tmp.resolve("nbd.sock");
            Domain dom = f.reconnect(CBW);
            String xml = "<domainbackup mode='pull'>" + PullChecks.unixServer(socket) + "<disks>"
                    + "<disk name='vda' type='file'><scratch file='" + small.resolve("vda.scratch.qcow2") + "'/></disk>"
                    + "</disks></domainbackup>";
            BackupJob job = dom.backupStart(xml, null, Set.of());
            List<JobEvent> events = new CopyOnWriteArrayList<>();
            AutoCloseable subscription = job.onEvent(events::add);
            f.qemu.guestWrite("vda", 0, 1 << 20, 0x66);
            assertThat(dom.jobInfo(false).state()).as("1 MiB fits: the snapshot holds").isEqualTo(JobState.RUNNING);
            for (int i = 1; i < 8; i++) {
                f.qemu.guestWrite("vda", (long) i << 20, 1 << 20, 0x66);
            }
            assertThat(Files.readString(f.qemu.logFile())).as("guest writes went on")
                    .doesNotContain("No space left on device");
            NbdClients.Result read = NbdClients.nbdcopy("nbd+unix:///vda?socket=" + socket, tmp.resolve("x.raw"));
            assertThat(read.exitCode()).as("the broken snapshot is not readable: %s", read.out()).isNotZero();
            Files.deleteIfExists(tmp.resolve("x.raw"));
            JobInfo info = dom.jobInfo(false);
            assertThat(info.state()).as("the driver notices the broken snapshot").isEqualTo(JobState.FAILED);
            assertThat(info.errorMessage()).hasValueSatisfying(m -> assertThat(m)
                    .contains("snapshot of disk 'vda' is broken"));
            JobInfo completed = job.awaitCompletion(java.time.Duration.ofSeconds(10));
            assertThat(completed.state()).isEqualTo(JobState.FAILED);
            for (int i = 0; i < 50 && events.stream().noneMatch(e -> e.type() == JobEvent.Type.JOB_COMPLETED); i++) {
                Thread.sleep(100);
            }
            subscription.close();
            assertThat(events).as("listeners are told").filteredOn(e -> e.type() == JobEvent.Type.JOB_COMPLETED)
                    .singleElement().satisfies(e -> assertThat(e.info().errorMessage()).isEqualTo(info.errorMessage()));

            JobInfo end = dom.backupEnd(Set.of());
            assertThat(end.state()).as("the end records the failure").isEqualTo(JobState.FAILED);
            assertThat(end.errorMessage()).isEqualTo(info.errorMessage());
            assertThat(small.resolve("vda.scratch.qcow2")).doesNotExist();
            assertThat(drive("vda")).isEqualTo(originalNode("vda"));
            PullChecks.assertNbdServerStopped(f);
            f.assertNoLeftoversInQemu();
            Path after = PullChecks.reference(f, f.vda, tmp.resolve("vda.after.raw"));
            byte[] last = new byte[1 << 20];
            try (java.io.RandomAccessFile r = new java.io.RandomAccessFile(after.toFile(), "r")) {
                r.seek(7 << 20);
                r.readFully(last);
            }
            byte[] expected = new byte[1 << 20];
            java.util.Arrays.fill(expected, (byte) 0x66);
            assertThat(last).as("the last guest write landed on the disk").isEqualTo(expected);
            assertThat(f.strayFiles()).containsExactlyInAnyOrder("small", "vda.after.raw");
        } finally {
            new ProcessBuilder("umount", small.toString()).inheritIO().start().waitFor();
        }
    }
}
