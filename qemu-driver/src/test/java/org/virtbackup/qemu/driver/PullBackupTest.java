// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.BackupStartFlag;
import org.virtbackup.api.Domain;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.testing.RequiresQemu;

/** Pull backups on a real QEMU, read by real NBD clients (nbdinfo, nbdcopy, qemu-img). */
@RequiresQemu
@Timeout(120)
class PullBackupTest extends DomainTest {

    /** The raw image of {@code disk} now, after a flush (qemu-7.2-qmp-notes.md §8 gotcha 4). */
    Path reference(Path disk, String name) throws Exception {
        return PullChecks.reference(f, disk, tmp.resolve(name));
    }

    @Test
    void fullPullOverUnixWhileTheGuestWritesEqualsThePointInTime() throws Exception {
        Path vdaRef = reference(f.vda, "vda.ref.raw");
        Path vdbRef = reference(f.vdb, "vdb.ref.raw");
        Path socket = tmp.resolve("nbd.sock");
        Domain dom = f.domain();
        BackupJob job = dom.backupStart(PullChecks.pullXml(null, PullChecks.unixServer(socket), tmp), null, Set.of());
        assertThat(job.mode()).isEqualTo(BackupMode.PULL);
        f.qemu.guestWrite("vda", 0, 1 << 20, 0x11); // before the copy starts: must be absent from it

        String xml = dom.backupGetXmlDesc();
        assertThat(xml).contains("<server transport='unix' socket='" + socket + "'/>")
                .contains("exportname='vda'").contains("exportname='vdb'")
                .contains("<scratch file='" + tmp.resolve("vda.scratch.qcow2") + "'/>");
        String list = NbdClients.nbdinfo("--list", "nbd+unix:///?socket=" + socket).ok().out();
        assertThat(list).contains("export=\"vda\"").contains("export=\"vdb\"").contains("is_read_only: true")
                .as("a full pull exports no bitmap").doesNotContain("qemu:dirty-bitmap");
        assertThat(Files.getPosixFilePermissions(socket)).as("only the owner may connect: 0600")
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        JobInfo info = dom.jobInfo(false);
        assertThat(info.state()).isEqualTo(JobState.RUNNING);
        assertThat(info.diskTempTotal()).hasValue(2 * DomainFixture.SIZE);
        assertThat(info.diskTempUsed().getAsLong()).isGreaterThanOrEqualTo(1 << 20);

        PullChecks.copyWhileGuestWrites(f, socket, vdaRef, vdbRef, tmp);
        assertThat(dom.jobInfo(false).diskTempUsed().getAsLong()).isGreaterThan(info.diskTempUsed().getAsLong());

        JobInfo end = dom.backupEnd(Set.of());
        assertThat(end.state()).isEqualTo(JobState.COMPLETED);
        assertThat(end.success()).contains(true);
        assertThat(end.errorMessage()).as("cancelling the fleecing jobs is their normal end").isEmpty();
        assertThat(tmp.resolve("vda.scratch.qcow2")).doesNotExist();
        assertThat(tmp.resolve("vdb.scratch.qcow2")).doesNotExist();
        PullChecks.assertNbdServerStopped(f);
        f.assertNoLeftoversInQemu();
        assertThat(f.strayFiles()).containsExactlyInAnyOrder("vda.ref.raw", "vdb.ref.raw", "vda.pull.raw",
                "vdb.pull.raw");
    }

    @Test
    void incrementalPullOverTcpMapsExactlyTheWritesSinceTheCheckpoint() throws Exception {
        // a full pull that creates cp1
        Path socket = tmp.resolve("nbd.sock");
        Domain dom = f.domain();
        dom.backupStart(PullChecks.pullXml(null, PullChecks.unixServer(socket), tmp), PushBackupTest.checkpointXml("cp1"), Set.of());
        Path vdaChain = tmp.resolve("vda.chain.raw");
        Path vdbChain = tmp.resolve("vdb.chain.raw");
        NbdClients.nbdcopy("nbd+unix:///vda?socket=" + socket, vdaChain).ok();
        NbdClients.nbdcopy("nbd+unix:///vdb?socket=" + socket, vdbChain).ok();
        assertThat(dom.backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);

        f.qemu.guestWrite("vda", 1 << 20, 128 << 10, 0xaa);
        f.qemu.guestWrite("vda", 20 << 20, 1 << 20, 0xbb);
        f.qemu.guestWriteZeroes("vdb", 8 << 20, 64 << 10);
        f.qemu.guestDiscard("vdb", 16 << 20, 1 << 20);
        Path vdaRef = reference(f.vda, "vda.ref.raw");
        Path vdbRef = reference(f.vdb, "vdb.ref.raw");

        int port = PullChecks.freePort();
        dom = f.reconnect();
        dom.backupStart(PullChecks.pullXml("cp1", PullChecks.tcpServer(port, false), tmp), PushBackupTest.checkpointXml("cp2"), Set.of());
        f.qemu.guestWrite("vda", 30 << 20, 1 << 20, 0xcc); // after the point in time: neither dirty nor visible
        assertThat(dom.backupGetXmlDesc())
                .contains("<server transport='tcp' name='127.0.0.1' port='" + port + "'/>")
                .contains("exportname='vda' exportbitmap='backup-vda'");
        String vdaUri = "nbd://127.0.0.1:" + port + "/vda";
        String vdbUri = "nbd://127.0.0.1:" + port + "/vdb";
        assertThat(NbdClients.dirty(vdaUri, "backup-vda")).containsExactly(
                new NbdClients.Extent(1 << 20, 128 << 10, 1, "dirty"),
                new NbdClients.Extent(20 << 20, 1 << 20, 1, "dirty"));
        assertThat(NbdClients.dirty(vdbUri, "backup-vdb")).containsExactly(
                new NbdClients.Extent(8 << 20, 64 << 10, 1, "dirty"),
                new NbdClients.Extent(16 << 20, 1 << 20, 1, "dirty"));

        String server = "server.type=inet,server.host=127.0.0.1,server.port=" + port;
        for (NbdClients.Extent e : NbdClients.dirty(vdaUri, "backup-vda")) {
            NbdClients.applyExtent(server, "vda", e.offset(), e.length(), vdaChain, tmp);
        }
        for (NbdClients.Extent e : NbdClients.dirty(vdbUri, "backup-vdb")) {
            NbdClients.applyExtent(server, "vdb", e.offset(), e.length(), vdbChain, tmp);
        }
        assertThat(Files.mismatch(vdaChain, vdaRef)).as("full + dirty extents of vda = point in time").isEqualTo(-1);
        assertThat(Files.mismatch(vdbChain, vdbRef)).as("full + dirty extents of vdb = point in time").isEqualTo(-1);

        assertThat(f.reconnect().backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
        assertThat(f.domain().checkpointLookupByName("cp2").isCurrent()).isTrue();
        PullChecks.assertNbdServerStopped(f);
        f.assertNoLeftoversInQemu();
        assertThat(f.strayFiles()).containsExactlyInAnyOrder("vda.ref.raw", "vdb.ref.raw", "vda.chain.raw",
                "vdb.chain.raw");
    }

    @Test
    void tlsPullIsReadWithClientCertificatesAndRefusedWithout() throws Exception {
        TestCerts certs = TestCerts.generate(tmp.resolve("certs"));
        Path vdaRef = reference(f.vda, "vda.ref.raw");
        int port = PullChecks.freePort();
        Domain dom = f.reconnect(Map.of("tlsDir", certs.serverDir().toString()));
        dom.backupStart(PullChecks.pullXml(null, PullChecks.tcpServer(port, true), tmp), null, Set.of());
        assertThat(dom.backupGetXmlDesc())
                .contains("<server transport='tcp' tls='yes' name='127.0.0.1' port='" + port + "'/>");
        f.qemu.guestWrite("vda", 4 << 20, 1 << 20, 0x5a);

        String plain = "nbd://127.0.0.1:" + port + "/vda";
        NbdClients.Result refused = NbdClients.nbdinfo(plain);
        assertThat(refused.exitCode()).as("plain NBD is refused: %s", refused.out()).isNotZero();
        assertThat(refused.out()).containsIgnoringCase("tls");
        NbdClients.Result noCert = NbdClients.nbdinfo("nbds://127.0.0.1:" + port + "/vda?tls-certificates="
                + certs.caOnlyDir());
        assertThat(noCert.exitCode()).as("a client without a certificate is refused: %s", noCert.out()).isNotZero();

        Path vdaCopy = tmp.resolve("vda.pull.raw");
        String tls = "nbds://127.0.0.1:" + port + "/vda?tls-certificates=" + certs.clientDir();
        assertThat(NbdClients.nbdinfo(tls).ok().out()).contains("with TLS");
        NbdClients.nbdcopy(tls, vdaCopy).ok();
        assertThat(Files.mismatch(vdaCopy, vdaRef)).as("the TLS copy equals the point in time").isEqualTo(-1);

        assertThat(dom.backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
        assertThat(f.qemu.control(new QmpCommand("qom-list", JsonNodeFactory.instance.objectNode()
                .put("path", "/objects"))).findValuesAsText("name")).as("the TLS object is deleted")
                .doesNotContain("vb-tls0");
        PullChecks.assertNbdServerStopped(f);
        f.assertNoLeftoversInQemu();
        assertThat(f.strayFiles()).containsExactlyInAnyOrder("certs", "vda.ref.raw", "vda.pull.raw");
    }

    @Test
    void reuseExternalScratchIsOpenedWithTheDiskAsBackingAndKept() throws Exception {
        Path vdaRef = reference(f.vda, "vda.ref.raw");
        Path vdaScratch = tmp.resolve("vda.scratch.qcow2");
        Path vdbScratch = tmp.resolve("vdb.scratch.qcow2");
        QemuImg.create(vdaScratch, ImageFormat.QCOW2, DomainFixture.SIZE);
        QemuImg.create(vdbScratch, ImageFormat.QCOW2, DomainFixture.SIZE);
        Path socket = tmp.resolve("nbd.sock");
        Domain dom = f.domain();
        dom.backupStart(PullChecks.pullXml(null, PullChecks.unixServer(socket), tmp), null,
                EnumSet.of(BackupStartFlag.REUSE_EXTERNAL));
        f.qemu.guestWrite("vda", 10 << 20, 2 << 20, 0x3c);
        Path vdaCopy = tmp.resolve("vda.pull.raw");
        NbdClients.nbdcopy("nbd+unix:///vda?socket=" + socket, vdaCopy).ok();
        assertThat(Files.mismatch(vdaCopy, vdaRef)).as("unwritten areas read through to the disk").isEqualTo(-1);
        assertThat(dom.backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
        assertThat(vdaScratch).as("the caller's scratch is kept").exists();
        assertThat(vdbScratch).exists();
        PullChecks.assertNbdServerStopped(f);
        f.assertNoLeftoversInQemu();
    }
}
