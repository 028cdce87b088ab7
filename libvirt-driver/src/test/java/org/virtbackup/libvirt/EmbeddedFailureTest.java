// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.BackupStartFlag;
import org.virtbackup.api.Domain;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.JobState;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.libvirt.testing.EmbeddedVm;
import org.virtbackup.libvirt.testing.RequiresLibvirt;
import org.virtbackup.libvirt.testing.TestDomain;
import org.virtbackup.libvirt.testing.Tools;

/**
 * libvirt's rejections, as the API's {@link VirtBackupException} with libvirt's code, domain and message; and the
 * operations only our QEMU driver has, refused with {@code NO_SUPPORT} naming it.
 */
@RequiresLibvirt
class EmbeddedFailureTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    static Path dir;
    static EmbeddedVm opened;
    static TestDomain vm;
    static Domain dom;

    @BeforeAll
    static void start() throws Exception {
        opened = EmbeddedVm.start("fail1", dir);
        vm = opened.vm();
        dom = opened.domain();
    }

    @AfterAll
    static void stop() throws Exception {
        if (opened != null) {
            opened.close();
        }
    }

    @AfterEach
    void noJobLeft() {
        if (dom.jobInfo(false).state() == JobState.RUNNING) {
            dom.backupEnd(Set.of());
        }
    }

    private static VirtBackupException fails(Executable call) {
        VirtBackupException[] caught = new VirtBackupException[1];
        assertTimeoutPreemptively(TIMEOUT, () -> {
            Throwable t = org.junit.jupiter.api.Assertions.assertThrows(VirtBackupException.class, call);
            caught[0] = (VirtBackupException) t;
        });
        return caught[0];
    }

    private static String push(String disk, Path target) {
        return "<domainbackup><disks><disk name='" + disk + "' type='file'><target file='" + target
                + "'/></disk></disks></domainbackup>";
    }

    @Test
    void anUnknownDiskIsConfigUnsupported() {
        VirtBackupException e = fails(() -> dom.backupStart(push("vdz", dir.resolve("z")), null, Set.of()));
        assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_UNSUPPORTED);
        assertThat(e.getMessage()).contains("no disk named 'vdz'");
    }

    @Test
    void anExistingTargetIsInvalidArgAndStaysUntouched() throws Exception {
        Path target = dir.resolve("exists.qcow2");
        Files.writeString(target, "precious");
        VirtBackupException e = fails(() -> dom.backupStart(push("vda", target), null, Set.of()));
        assertThat(e.code()).as(e.toString()).isEqualTo(ErrorCode.INVALID_ARG);
        assertThat(e.domain()).isEqualTo(ErrorDomain.QEMU);
        assertThat(e.getMessage()).isEqualTo("invalid argument: store '" + target + "' for backup of 'vda' exists");
        assertThat(Files.readString(target)).isEqualTo("precious");
    }

    @Test
    void anUnknownCheckpointIsNoDomainCheckpoint() {
        String xml = "<domainbackup><incremental>nope</incremental></domainbackup>";
        VirtBackupException e = fails(() -> dom.backupStart(xml, null, Set.of()));
        assertThat(e.code()).as(e.toString()).isEqualTo(ErrorCode.NO_DOMAIN_CHECKPOINT);
        assertThat(e.getMessage()).contains("'nope'");
    }

    @Test
    /**
     * libvirt 9.0 does not refuse a second backup at once: the begin waits for the domain's job lock, which the
     * running backup holds, and gives up after 30 s with OPERATION_TIMEOUT (our QEMU driver answers
     * OPERATION_INVALID at once: a difference the conformance table lists).
     */
    void aSecondJobTimesOutOnLibvirtsJobLock() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            String pull = "<domainbackup mode='pull'><server transport='unix' socket='" + dir.resolve("s.sock")
                    + "'/><disks><disk name='vda' backup='yes' type='file'><scratch file='"
                    + dir.resolve("vda.scratch") + "'/></disk></disks></domainbackup>";
            BackupJob first = dom.backupStart(pull, null, Set.of());
            VirtBackupException e = fails(() -> dom.backupStart(push("vdb", dir.resolve("second")), null, Set.of()));
            assertThat(e.code()).as(e.toString()).isEqualTo(ErrorCode.OPERATION_TIMEOUT);
            assertThat(e.getMessage()).contains("cannot acquire state change lock");
            assertThat(first.info().state()).isEqualTo(JobState.RUNNING);
            dom.backupEnd(Set.of());
        });
    }

    @Test
    void malformedXmlIsAnXmlErrorAndInvalidXmlFailsTheSchema() {
        VirtBackupException malformed = fails(() -> dom.backupStart("<domainbackup>", null, Set.of()));
        assertThat(malformed.code()).as(malformed.toString()).isEqualTo(ErrorCode.XML_DETAIL);
        assertThat(malformed.domain()).isEqualTo(ErrorDomain.DOMAIN);
        VirtBackupException invalid = fails(() -> dom.backupStart(
                "<domainbackup><disks><disk name='vda' backup='maybe'/></disks></domainbackup>", null, Set.of()));
        assertThat(invalid.code()).as(invalid.toString()).isEqualTo(ErrorCode.XML_INVALID_SCHEMA);
    }

    /** {@code abortJob} ends a running pull: the job is gone, the export closed, the completed job on record. */
    @Test
    void abortJobEndsARunningPull() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            Path socket = dir.resolve("abort.sock");
            dom.backupStart("<domainbackup mode='pull'><server transport='unix' socket='" + socket
                    + "'/><disks><disk name='vda' backup='yes' type='file'><scratch file='" + dir.resolve("abort.scr")
                    + "'/></disk></disks></domainbackup>", null, Set.of());
            assertThat(dom.jobInfo(false).state()).isEqualTo(JobState.RUNNING);
            dom.abortJob();
            while (dom.jobInfo(false).state() != JobState.NONE) {
                Thread.sleep(10);
            }
            assertThat(dom.jobInfo(true).state()).isIn(JobState.CANCELLED, JobState.COMPLETED);
            assertThat(socket).doesNotExist();
            VirtBackupException e = fails(dom::backupGetXmlDesc);
            assertThat(e.code()).isEqualTo(ErrorCode.NO_DOMAIN_BACKUP);
        });
    }

    @Test
    void endWithoutAJobIsNoDomainBackup() {
        VirtBackupException e = fails(dom::backupGetXmlDesc);
        assertThat(e.code()).isEqualTo(ErrorCode.NO_DOMAIN_BACKUP);
        assertThat(e.code().number()).isEqualTo(104);
        VirtBackupException abort = fails(dom::abortJob);
        assertThat(abort.code()).as(abort.toString()).isEqualTo(ErrorCode.OPERATION_INVALID);
    }

    @Test
    void whatOnlyOurQemuDriverDoesIsNoSupportNamingIt() {
        List<Executable> calls = List.of(
                () -> dom.backupDryRun("<domainbackup/>", null, Set.of()),
                () -> dom.backupEndDryRun(Set.of()),
                dom::checkpointHealth,
                () -> dom.checkpointAdoptBitmap("b"),
                () -> dom.checkpointRemoveBitmap("b"),
                () -> dom.fdAssociate("g", List.of()),
                () -> dom.backupStart("<domainbackup/>", null, Set.of(BackupStartFlag.INCREMENTAL_FALLBACK_FULL)));
        for (Executable call : calls) {
            VirtBackupException e = fails(call);
            assertThat(e.code()).isEqualTo(ErrorCode.NO_SUPPORT);
            assertThat(e.getMessage()).contains("qmp+unix");
        }
        assertThat(dom.jobInfo(false).state()).isEqualTo(JobState.NONE); // the refused start began nothing
    }

    @Test
    void setSpeedIsNoSupportAndAPushCanBeCancelled() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            Path target = dir.resolve("cancel.qcow2");
            BackupJob job = dom.backupStart(push("vda", target), null, Set.of());
            VirtBackupException e = fails(() -> job.setSpeed(1024));
            assertThat(e.code()).isEqualTo(ErrorCode.NO_SUPPORT);
            // cancelling may race with a 16 MiB copy that already finished: both end the job
            JobState end = dom.backupEnd(Set.of()).state();
            assertThat(end).isIn(JobState.CANCELLED, JobState.COMPLETED);
            assertThat(dom.jobInfo(false).state()).isEqualTo(JobState.NONE);
            if (end == JobState.COMPLETED) {
                assertThat(Tools.sameData(vm.disk("vda"), target)).isTrue();
            }
        });
    }

    /**
     * A push whose target file system fills up fails: the job's statistics say so with libvirt's message, the
     * JOB_COMPLETED event still ends the wait, and libvirt keeps the checkpoint made with it (our QEMU driver
     * removes it: README, "Differences on purpose").
     */
    @Test
    void aPushThatRunsOutOfSpaceFailsAndLibvirtKeepsItsCheckpoint() throws Exception {
        Path small = java.nio.file.Files.createDirectories(dir.resolve("small"));
        Tools.check(List.of("mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", small.toString()));
        try {
            assertTimeoutPreemptively(TIMEOUT, () -> {
                BackupJob job = dom.backupStart(push("vda", small.resolve("vda.qcow2")),
                        "<domaincheckpoint><name>enospc</name></domaincheckpoint>", Set.of());
                org.virtbackup.api.JobInfo done = job.awaitCompletion(TIMEOUT);
                assertThat(done.state()).isEqualTo(JobState.FAILED);
                assertThat(done.errorMessage()).hasValueSatisfying(m -> assertThat(m).contains("No space left"));
                assertThat(dom.backupEnd(Set.of()).state()).isEqualTo(JobState.FAILED);
                assertThat(dom.listAllCheckpoints(Set.of())).extracting(org.virtbackup.api.DomainCheckpoint::name)
                        .contains("enospc");
                dom.checkpointLookupByName("enospc").delete(Set.of());
            });
        } finally {
            Tools.run(List.of("umount", small.toString()));
        }
    }
}
