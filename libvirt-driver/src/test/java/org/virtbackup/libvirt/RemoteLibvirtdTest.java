// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.CheckpointXmlFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.libvirt.testing.LibvirtdVm;
import org.virtbackup.libvirt.testing.PrivateLibvirtd;
import org.virtbackup.libvirt.testing.RequiresLibvirt;
import org.virtbackup.libvirt.testing.TestDomain;
import org.virtbackup.libvirt.testing.Tools;

/**
 * The driver through libvirt's remote protocol: a private libvirtd the test starts (and stops by PID), reached at
 * {@code qemu+unix:///system?socket=...}. A push backup with a checkpoint, completed by the JOB_COMPLETED event that
 * travels over the RPC connection, verified data, and the checkpoint XML equal to what {@code virsh} prints.
 */
@RequiresLibvirt
class RemoteLibvirtdTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    static Path dir;
    static LibvirtdVm opened;
    static PrivateLibvirtd libvirtd;
    static TestDomain vm;

    @BeforeAll
    static void start() throws Exception {
        opened = LibvirtdVm.start(dir, "remote1");
        libvirtd = opened.libvirtd();
        vm = opened.vm();
    }

    @AfterAll
    static void stop() throws Exception {
        if (opened != null) {
            opened.close();
        }
    }

    @Test
    void pushBackupWithCheckpointThroughLibvirtd() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (Connection conn = Connections.open(libvirtd.uri() + "&domain=remote1")) {
                Domain dom = conn.domain();
                String backup = "<domainbackup><disks>"
                        + "<disk name='vda' type='file'><target file='" + dir.resolve("vda.bak") + "'/></disk>"
                        + "<disk name='vdb' type='file'><target file='" + dir.resolve("vdb.bak") + "'/></disk>"
                        + "</disks></domainbackup>";
                BackupJob job = dom.backupStart(backup, "<domaincheckpoint><name>r1</name></domaincheckpoint>",
                        Set.of());
                JobInfo done = job.awaitCompletion(TIMEOUT);
                assertThat(done.state()).isEqualTo(JobState.COMPLETED);
                assertThat(Tools.sameData(vm.disk("vda"), dir.resolve("vda.bak"))).isTrue();
                assertThat(Tools.sameData(vm.disk("vdb"), dir.resolve("vdb.bak"))).isTrue();

                String ours = dom.checkpointLookupByName("r1").getXmlDesc(Set.of(CheckpointXmlFlag.NO_DOMAIN));
                String virsh = Tools.check(List.of("virsh", "-q", "-c", libvirtd.uri(), "checkpoint-dumpxml",
                        "remote1", "r1", "--no-domain"));
                assertThat(ours).contains("<name>r1</name>");
                assertThat(virsh).isEqualTo(ours);
            }
        });
    }
}
