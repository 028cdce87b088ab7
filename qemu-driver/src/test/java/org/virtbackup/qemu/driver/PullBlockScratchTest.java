// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.BackupDryRun;
import org.virtbackup.api.Domain;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * Pull backups whose scratch is a block device ({@code <disk type='block'><scratch dev='/dev/loopN'/>}): loop
 * devices over sparse files, attached for the test and detached after it (needs root). The driver formats the
 * device as qcow2 with the live disk as backing, as libvirt does, but never creates or deletes the device.
 */
@RequiresQemu
@Timeout(120)
class PullBlockScratchTest {

    /** Room for the 64 MiB of copied data plus qcow2 metadata. */
    private static final long DEVICE_SIZE = 80L << 20;

    @TempDir
    Path tmp;

    DomainFixture f;
    final List<Path> loops = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        f = new DomainFixture(tmp);
        for (String disk : List.of("vda", "vdb")) {
            Path backing = tmp.resolve(disk + ".loop.img");
            try (var raf = new java.io.RandomAccessFile(backing.toFile(), "rw")) {
                raf.setLength(DEVICE_SIZE);
            }
            loops.add(Path.of(NbdClients.run(List.of("losetup", "-f", "--show", backing.toString())).ok().out()));
        }
    }

    @AfterEach
    void stop() throws Exception {
        try {
            f.close();
        } finally {
            for (Path loop : loops) {
                NbdClients.run(List.of("losetup", "-d", loop.toString())).ok();
            }
        }
    }

    private String xml(String incremental, Path socket) {
        return "<domainbackup mode='pull'>" + (incremental == null ? "" : "<incremental>" + incremental
                + "</incremental>") + PullChecks.unixServer(socket) + "<disks>"
                + "<disk name='vda' type='block'><scratch dev='" + loops.get(0) + "'/></disk>"
                + "<disk name='vdb' type='block'><scratch dev='" + loops.get(1) + "'/></disk>"
                + "</disks></domainbackup>";
    }

    private void assertDevicesIntact() throws Exception {
        for (Path loop : loops) {
            assertThat(Files.readAttributes(loop, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther())
                    .as("%s is still a device node", loop).isTrue();
        }
        String attached = NbdClients.run(List.of("losetup", "-a")).ok().out();
        loops.forEach(l -> assertThat(attached).contains(l + ":"));
    }

    @Test
    void fullThenIncrementalPullThroughLoopDevicesEqualThePointsInTime() throws Exception {
        Path socket = tmp.resolve("nbd.sock");
        Domain dom = f.domain();
        BackupDryRun plan = dom.backupDryRun(xml(null, socket), PushBackupTest.checkpointXml("cp1"), Set.of());
        assertThat(plan.qmpPlan()).as("no file is created on the device, only qcow2 formatted onto it")
                .noneMatch(l -> l.contains("\"driver\":\"file\"") && l.contains("blockdev-create"))
                .anyMatch(l -> l.contains("\"driver\":\"host_device\"") && l.contains(loops.get(0).toString()));

        Path vdaRef = PullChecks.reference(f, f.vda, tmp.resolve("vda.ref.raw"));
        Path vdbRef = PullChecks.reference(f, f.vdb, tmp.resolve("vdb.ref.raw"));
        dom.backupStart(xml(null, socket), PushBackupTest.checkpointXml("cp1"), Set.of());
        JsonNode created = new ObjectMapper().readTree(f.state.resolve("vm1/backup.json").toFile()).path("created");
        assertThat(created).as("the job records what it creates").isNotEmpty();
        assertThat(created.findValues("file")).as("no device recorded as a file to delete").isEmpty();
        PullChecks.copyWhileGuestWrites(f, socket, vdaRef, vdbRef, tmp);
        JobInfo end = f.reconnect().backupEnd(Set.of());
        assertThat(end.state()).isEqualTo(JobState.COMPLETED);
        assertDevicesIntact();
        f.assertNoLeftoversInQemu();

        // incremental: the full copy plus the dirty extents of the second pull equal the second point in time
        Path vdaChain = tmp.resolve("vda.pull.raw");
        f.qemu.guestWrite("vda", 3 << 20, 192 << 10, 0x5a);
        f.qemu.guestWrite("vda", 40 << 20, 1 << 20, 0x5b);
        Path vdaRef2 = PullChecks.reference(f, f.vda, tmp.resolve("vda.ref2.raw"));
        dom = f.reconnect();
        dom.backupStart(xml("cp1", socket), PushBackupTest.checkpointXml("cp2"), Set.of());
        f.qemu.guestWrite("vda", 40 << 20, 1 << 20, 0x5c); // after the point in time: kept in the device
        String uri = "nbd+unix:///vda?socket=" + socket;
        List<NbdClients.Extent> dirty = NbdClients.dirty(uri, "backup-vda");
        // the guest's writes during the first pull are dirty too
        assertThat(dirty).as("the write since cp1 is dirty")
                .anyMatch(e -> e.offset() <= 3 << 20 && e.offset() + e.length() >= (3 << 20) + (192 << 10));
        for (NbdClients.Extent e : dirty) {
            NbdClients.applyExtent("server.type=unix,server.path=" + socket, "vda", e.offset(), e.length(),
                    vdaChain, tmp);
        }
        assertThat(Files.mismatch(vdaChain, vdaRef2)).as("full + dirty extents = point in time").isEqualTo(-1);
        assertThat(f.reconnect().backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
        assertThat(f.domain().checkpointLookupByName("cp2").isCurrent()).isTrue();
        assertDevicesIntact();
        PullChecks.assertNbdServerStopped(f);
        f.assertNoLeftoversInQemu();
        assertThat(f.strayFiles()).containsExactlyInAnyOrder("vda.loop.img", "vdb.loop.img", "vda.ref.raw",
                "vdb.ref.raw", "vda.pull.raw", "vdb.pull.raw", "vda.ref2.raw");
    }

    @Test
    void anEndAfterQemuDiedLeavesTheDevicesAlone() throws Exception {
        Path socket = tmp.resolve("nbd.sock");
        f.domain().backupStart(xml(null, socket), null, Set.of());
        f.qemu.kill();
        JobInfo end = f.reconnect().backupEnd(Set.of());
        assertThat(end.state()).isEqualTo(JobState.FAILED);
        assertDevicesIntact();
        assertThat(f.state.resolve("vm1/backup.json")).doesNotExist();
        assertThat(socket).as("the stale socket is removed").doesNotExist();
        assertThat(f.strayFiles()).containsExactlyInAnyOrder("vda.loop.img", "vdb.loop.img");
    }
}
