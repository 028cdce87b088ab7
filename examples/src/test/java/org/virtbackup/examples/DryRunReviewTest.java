// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.BackupDryRun;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.qemu.launch.DiskDataGenerator;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.testing.RequiresQemu;

@RequiresQemu
@Timeout(120)
class DryRunReviewTest {

    @TempDir
    Path tmp;

    Path vda;
    Path allowed;
    EmbeddedQemu qemu;
    Map<String, String> options;
    final List<BackupDryRun> reviewed = new ArrayList<>();
    final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        vda = tmp.resolve("vda.qcow2");
        DiskDataGenerator.generate(vda, ImageFormat.QCOW2, 16L << 20, 31);
        qemu = EmbeddedQemu.builder().workDir(tmp.resolve("qemu")).disk(vda, "vda").start();
        options = Map.of("stateDir", tmp.resolve("state").toString());
        allowed = Files.createDirectories(tmp.resolve("backups"));
    }

    @AfterEach
    void stop() {
        qemu.close();
    }

    static String pushXml(Path target) {
        return "<domainbackup><disks><disk name='vda' type='file'><target file='" + target + "'/>"
                + "<driver type='qcow2'/></disk></disks></domainbackup>";
    }

    static final String CHECKPOINT = "<domaincheckpoint><name>reviewed</name></domaincheckpoint>";

    @Test
    void theDryRunShowsThePlanAndChangesNothingUntilApproved() throws Exception {
        Path target = allowed.resolve("vda.reviewed.qcow2");
        assertThat(run(pushXml(target), CHECKPOINT, p -> false)).isEmpty();
        assertThat(reviewed).hasSize(1);
        BackupDryRun plan = reviewed.get(0);
        assertThat(plan.alignedXml()).contains("<target file='" + target + "'/>");
        // the driver's own file creation (mode 0600) is not in the dry run's lines, only QMP commands are
        assertThat(String.join("\n", plan.qmpPlan())).contains("\"driver\":\"file\",\"filename\":\"" + target + "\"")
                .contains("\"execute\":\"blockdev-create\"").contains("\"execute\":\"transaction\"").contains("\"type\":\"blockdev-backup\"")
                .contains("\"type\":\"block-dirty-bitmap-add\"").contains("\"name\":\"reviewed\"");
        assertThat(output()).contains("aligned backup XML:").contains("QMP plan:").contains("not approved");
        assertNothingChanged();
    }

    @Test
    void aPlanWritingOutsideTheAllowedDirectoryIsRefusedBeforeApproval() throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        assertThat(run(pushXml(elsewhere.resolve("vda.qcow2")), CHECKPOINT, p -> true)).isEmpty();
        assertThat(output()).contains("refused: the backup would write outside " + allowed.toRealPath());
        Files.createSymbolicLink(allowed.resolve("link"), elsewhere);
        assertThat(run(pushXml(allowed.resolve("link").resolve("vda.qcow2")), CHECKPOINT, p -> true)).isEmpty();
        assertThat(run("<domainbackup/>", CHECKPOINT, p -> true)).as("generated target next to the disk").isEmpty();
        assertThat(output()).contains("[" + tmp.resolve("vda.qcow2.reviewed") + "]");
        assertThat(reviewed).as("never offered for approval").isEmpty();
        try (Stream<Path> files = Files.list(elsewhere)) {
            assertThat(files).isEmpty();
        }
        assertNothingChanged();
    }

    @Test
    void anApprovedPlanInsideTheAllowedDirectoryRunsToCompletion() throws Exception {
        Path target = allowed.resolve("vda.reviewed.qcow2");
        Optional<JobInfo> end = run(pushXml(target), CHECKPOINT, p -> true);
        assertThat(end).map(JobInfo::state).contains(JobState.COMPLETED);
        assertThat(output()).contains("started: the reviewed backup").contains("result: COMPLETED");
        qemu.guestFlush("vda");
        assertThat(QemuImg.identical(vda, target, true)).isTrue();
        assertThat(checkpoints()).containsExactly("reviewed");
    }

    @Test
    void theStartedBackupIsTheReviewedOneEvenWhenTheReviewTakesTime() throws Exception {
        allowed = tmp; // the generated target next to the disk is allowed here
        Optional<JobInfo> end = run("<domainbackup/>", null, p -> {
            try {
                Thread.sleep(1100); // generated names contain the start time in seconds
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return true;
        });
        assertThat(end).map(JobInfo::state).contains(JobState.COMPLETED);
        assertThat(output()).contains("started: the reviewed backup");
        Path target = Path.of(reviewed.get(0).alignedXml().replaceAll("(?s).*<target file='([^']+)'/>.*", "$1"));
        assertThat(target.getFileName().toString()).startsWith("vda.qcow2.");
        qemu.guestFlush("vda");
        assertThat(QemuImg.identical(vda, target, true)).as("the reviewed target was written").isTrue();
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.filter(p -> p.getFileName().toString().startsWith("vda.qcow2."))).containsExactly(target);
        }
    }

    private Optional<JobInfo> run(String backupXml, String checkpointXml, Predicate<BackupDryRun> approve)
            throws Exception {
        return DryRunReview.run(qemu.qmpUri("vm1").toString(), options, backupXml, checkpointXml, allowed,
                p -> reviewed.add(p) && approve.test(p), new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    private String output() {
        return log.toString(StandardCharsets.UTF_8);
    }

    private void assertNothingChanged() throws Exception {
        try (Connection c = Connections.open(qemu.qmpUri("vm1"), options)) {
            assertThat(c.domain().jobInfo(false).state()).isEqualTo(JobState.NONE);
            assertThat(c.domain().jobInfo(true).state()).isEqualTo(JobState.NONE);
        }
        assertThat(checkpoints()).isEmpty();
        try (Stream<Path> files = Files.walk(allowed)) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).as("no target, no generated file")
                    .isSubsetOf("vda.qcow2", "qemu", "state", "backups", "elsewhere");
        }
    }

    private List<String> checkpoints() {
        try (Connection c = Connections.open(qemu.qmpUri("vm1"), options)) {
            return c.domain().listAllCheckpoints(EnumSet.noneOf(CheckpointListFlag.class)).stream()
                    .map(DomainCheckpoint::name).toList();
        }
    }
}
