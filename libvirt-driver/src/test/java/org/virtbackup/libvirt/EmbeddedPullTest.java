// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.BackupEndFlag;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.libvirt.testing.EmbeddedLibvirt;
import org.virtbackup.libvirt.testing.EmbeddedVm;
import org.virtbackup.libvirt.testing.RequiresLibvirt;
import org.virtbackup.libvirt.testing.TestDomain;
import org.virtbackup.libvirt.testing.Tools;

/**
 * Pull backups through libvirt's embedded QEMU driver, read over NBD with {@code nbdcopy} while the guest writes:
 * the export must hold the disk as it was at the start of the backup.
 */
@RequiresLibvirt
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedPullTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static EmbeddedVm opened;
    static TestDomain vm;
    static Domain dom;

    @BeforeAll
    static void start() throws Exception {
        opened = EmbeddedVm.start("pull1", dir);
        vm = opened.vm();
        dom = opened.domain();
    }

    @AfterAll
    static void stop() throws Exception {
        if (opened != null) {
            opened.close();
        }
    }

    private String pullXml(String incremental, String socket) {
        return "<domainbackup mode='pull'>\n"
                + (incremental == null ? "" : "  <incremental>" + incremental + "</incremental>\n")
                + "  <server transport='unix' socket='" + socket + "'/>\n  <disks>\n"
                + "    <disk name='vda' backup='yes' type='file'><scratch file='" + dir.resolve("vda.scratch")
                + "'/></disk>\n"
                + "    <disk name='vdb' backup='yes' type='file'><scratch file='" + dir.resolve("vdb.scratch")
                + "'/></disk>\n  </disks>\n</domainbackup>\n";
    }

    /** Copies disk {@code dev}'s export into a raw file with nbdcopy. */
    private static Path read(Path socket, String dev, Path out) {
        Tools.check(List.of("nbdcopy", "nbd+unix:///" + dev + "?socket=" + socket, out.toString()));
        return out;
    }

    @Test
    @Order(1)
    void fullPullExportsThePointInTimeWhileTheGuestWrites() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            Path refA = dir.resolve("vda.ref");
            Tools.check(List.of("qemu-img", "convert", "-U", "-O", "raw", vm.disk("vda").toString(), refA.toString()));
            Path socket = dir.resolve("nbd1.sock");
            BackupJob job = dom.backupStart(pullXml(null, socket.toString()),
                    "<domaincheckpoint><name>cp1</name></domaincheckpoint>", Set.of());
            assertThat(job.mode()).isEqualTo(BackupMode.PULL);
            assertThat(dom.currentBackup()).map(BackupJob::mode).hasValue(BackupMode.PULL);
            vm.guestWrite(0, 0x77, 2); // after the start: must not be in the export
            String xml = dom.backupGetXmlDesc();
            assertThat(xml).startsWith("<domainbackup mode='pull'>")
                    .contains("<server transport='unix' socket='" + socket + "'/>")
                    .contains("exportname='vda'").contains("exportname='vdb'")
                    .contains("<scratch file='" + dir.resolve("vda.scratch") + "'/>");
            JobInfo running = dom.jobInfo(false);
            assertThat(running.state()).isEqualTo(JobState.RUNNING);
            assertThat(running.mode()).isEqualTo(BackupMode.PULL);
            assertThat(running.diskTempTotal()).isPresent();

            assertThat(Tools.sameData(refA, read(socket, "vda", dir.resolve("vda.pulled")))).isTrue();
            assertThat(Tools.sameData(vm.disk("vda"), dir.resolve("vda.pulled"))).isFalse();
            assertThat(Tools.sameData(vm.disk("vdb"), read(socket, "vdb", dir.resolve("vdb.pulled")))).isTrue();

            // libvirt ends a pull with virDomainAbortJob; an ended pull counts as a success
            JobInfo end = dom.backupEnd(Set.of());
            assertThat(end.state()).isEqualTo(JobState.COMPLETED);
            assertThat(dom.jobInfo(false).state()).isEqualTo(JobState.NONE);
            assertThat(dom.currentBackup()).isEmpty();
            assertThatThrownBy(dom::backupGetXmlDesc).isInstanceOfSatisfying(VirtBackupException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_DOMAIN_BACKUP));
            assertThat(dir.resolve("vda.scratch")).doesNotExist();
        });
    }

    @Test
    @Order(2)
    void incrementalPullExportsTheDirtyBitmapAndDiscardCheckpointDeletesTheNewOne() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            Path socket = dir.resolve("nbd2.sock");
            dom.backupStart(pullXml("cp1", socket.toString()),
                    "<domaincheckpoint><name>cp2</name></domaincheckpoint>", Set.of());
            assertThat(dom.backupGetXmlDesc()).contains("<incremental>cp1</incremental>")
                    .contains("backupmode='incremental'").contains("exportbitmap='backup-vda'");
            assertThat(dom.listAllCheckpoints(Set.of())).extracting(DomainCheckpoint::name)
                    .containsExactlyInAnyOrder("cp1", "cp2");
            assertThat(Tools.sameData(vm.disk("vda"), read(socket, "vda", dir.resolve("vda.pulled2")))).isTrue();
            // the consumer "failed": the next incremental must still start from cp1
            JobInfo end = dom.backupEnd(Set.of(BackupEndFlag.DISCARD_CHECKPOINT));
            assertThat(end.state()).isEqualTo(JobState.COMPLETED);
            assertThat(dom.listAllCheckpoints(Set.of())).extracting(DomainCheckpoint::name).containsExactly("cp1");
        });
    }

    @Test
    @Order(3)
    void discardCheckpointFindsTheNameLibvirtGenerated() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            dom.backupStart(pullXml("cp1", dir.resolve("nbd3.sock").toString()), "<domaincheckpoint/>", Set.of());
            assertThat(dom.listAllCheckpoints(Set.of())).hasSize(2); // cp1 and one named by libvirt
            dom.backupEnd(Set.of(BackupEndFlag.DISCARD_CHECKPOINT));
            assertThat(dom.listAllCheckpoints(Set.of())).extracting(DomainCheckpoint::name).containsExactly("cp1");
        });
    }

    /**
     * libvirt does not record which checkpoint a job created: another {@code Domain} object (here another
     * connection, as another process would) refuses DISCARD_CHECKPOINT with NO_SUPPORT and leaves the job running;
     * a plain end from it works, and ending again returns the same statistics (idempotent).
     */
    @Test
    @Order(4)
    void discardCheckpointFromAnotherDomainObjectIsNoSupportAndEndIsIdempotent() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            dom.backupStart(pullXml("cp1", dir.resolve("nbd4.sock").toString()),
                    "<domaincheckpoint><name>cp4</name></domaincheckpoint>", Set.of());
            try (Connection other = Connections.open(EmbeddedLibvirt.shared().uri() + "&domain=pull1")) {
                Domain second = other.domain();
                assertThatThrownBy(() -> second.backupEnd(Set.of(BackupEndFlag.DISCARD_CHECKPOINT)))
                        .isInstanceOfSatisfying(VirtBackupException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.NO_SUPPORT);
                            assertThat(e.getMessage()).contains("checkpoint-delete");
                        });
                assertThat(dom.jobInfo(false).state()).isEqualTo(JobState.RUNNING);
                JobInfo end = second.backupEnd(Set.of());
                assertThat(end.state()).isEqualTo(JobState.COMPLETED);
                assertThat(second.backupEnd(Set.of()).toTypedParameters()).isEqualTo(end.toTypedParameters());
            }
            assertThat(dom.listAllCheckpoints(Set.of())).extracting(DomainCheckpoint::name)
                    .containsExactlyInAnyOrder("cp1", "cp4");
            dom.checkpointLookupByName("cp4").delete(Set.of());
        });
    }
}
