// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.block.BlockGraph;
import org.virtbackup.qemu.block.GraphFixtures;
import org.virtbackup.qemu.qmp.QemuCapabilities;
import org.virtbackup.qemu.qmp.QmpCommand;

class BackupPlannerTest {
    private static final QemuCapabilities CAPS = QemuCapabilities.QEMU_7_2;
    private final BlockGraph libvirt = GraphFixtures.load("libvirt-cp2.json");
    private final BlockGraph chain = GraphFixtures.load("chain3.json");

    private static BackupRequest push(DiskRequest... disks) {
        return BackupRequest.push(List.of(disks), Optional.empty());
    }

    private static void assertError(ThrowingCallable call, ErrorCode code, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(VirtBackupException.class,
                e -> assertThat(e.code()).isEqualTo(code)).hasMessage(message);
    }

    @Test
    void cbwPullNeedsCopyBeforeWriteWithOnCbwErrorAndSnapshotAccess() {
        DiskRequest vda = DiskRequest.full("virtio-disk0", "/b/vda.qcow2");
        BackupRequest cbw = BackupRequest.pull(List.of(vda), Optional.empty(), NbdServer.unix("/run/s"))
                .pullMethod(PullMethod.CBW);
        String message = "pull method 'cbw' needs the 'copy-before-write' block driver with 'on-cbw-error' and the "
                + "'snapshot-access' driver, which this QEMU lacks; use 'fleecing'";
        for (QemuCapabilities lacking : List.of(new QemuCapabilities(false, true, true, true, false),
                new QemuCapabilities(true, false, true, true, true), new QemuCapabilities(true, true, true, true, false))) {
            assertError(() -> BackupPlanner.planStart(cbw, libvirt, lacking), ErrorCode.OPERATION_UNSUPPORTED, message);
        }
        assertThat(BackupPlanner.planStart(cbw.pullMethod(PullMethod.FLEECING), libvirt,
                new QemuCapabilities(false, false, true, true, false)).steps()).isNotEmpty();
    }

    @Test
    void requestShapeIsCheckedWithLibvirtMessages() {
        assertError(() -> BackupPlanner.planStart(push(), libvirt, CAPS),
                ErrorCode.CONFIG_UNSUPPORTED, "no disks selected for backup");
        DiskRequest vda = DiskRequest.full("virtio-disk0", "/b/vda.qcow2");
        assertError(() -> BackupPlanner.planStart(push(vda, vda), libvirt, CAPS),
                ErrorCode.CONFIG_UNSUPPORTED, "disk 'virtio-disk0' specified twice");
        assertError(() -> BackupPlanner.planStart(push(DiskRequest.full("vdz", "/b/z")), libvirt, CAPS),
                ErrorCode.CONFIG_UNSUPPORTED, "no disk named 'vdz'");
        BackupRequest pushWithServer = new BackupRequest(BackupMode.PUSH, List.of(vda), Optional.empty(),
                Optional.of(NbdServer.unix("/run/s")), false, "vb");
        assertError(() -> BackupPlanner.planStart(pushWithServer, libvirt, CAPS),
                ErrorCode.CONFIG_UNSUPPORTED, "use of <server> requires pull mode backup");
        BackupRequest pullWithoutServer = new BackupRequest(BackupMode.PULL, List.of(vda), Optional.empty(),
                Optional.empty(), false, "vb");
        assertError(() -> BackupPlanner.planStart(pullWithoutServer, libvirt, CAPS),
                ErrorCode.OPERATION_UNSUPPORTED, "<domainbackup> must specify TCP port for now");
        BackupRequest relative = BackupRequest.pull(List.of(vda), Optional.empty(), NbdServer.unix("nbd.sock"));
        assertError(() -> BackupPlanner.planStart(relative, libvirt, CAPS),
                ErrorCode.XML_ERROR, "backup socket path 'nbd.sock' must be absolute");
        QemuCapabilities noExport = new QemuCapabilities(true, true, true, false, true);
        BackupRequest pull = BackupRequest.pull(List.of(vda), Optional.empty(), NbdServer.unix("/run/s"));
        assertThatThrownBy(() -> BackupPlanner.planStart(pull, libvirt, noExport))
                .hasMessageContaining("'block-export-add'");
    }

    @Test
    void missingBitmapIsCheckpointInconsistentAndNeverAnEmptyMerge() {
        // no layer has 'cp9': without the chain check the merge list would be empty, which crashes QEMU 7.2
        assertError(() -> BackupPlanner.planStart(push(DiskRequest.incremental("virtio-disk0", "cp9", "/b/i")),
                libvirt, CAPS), ErrorCode.CHECKPOINT_INCONSISTENT,
                "missing or broken bitmap 'cp9' for disk 'virtio-disk0': bitmap 'cp9' is missing in top layer "
                        + "'libvirt-2-format'");
        assertError(() -> BackupPlanner.planStart(push(DiskRequest.incremental("vda", "cpdis", "/b/i")),
                chain, CAPS), ErrorCode.CHECKPOINT_INCONSISTENT,
                "missing or broken bitmap 'cpdis' for disk 'vda': bitmap 'cpdis' in layer 'mid-format' is not recording");
    }

    /** libvirt-cp2.json with an extra named node and an extra bitmap on the top of virtio-disk0. */
    private static BlockGraph withLeftovers(String node, String bitmap) throws Exception {
        ObjectMapper m = new ObjectMapper();
        ObjectNode combined = (ObjectNode) m.readTree(
                BackupPlannerTest.class.getResourceAsStream("/block/libvirt-cp2.json"));
        ArrayNode named = (ArrayNode) combined.get("query-named-block-nodes");
        named.addObject().put("node-name", node).put("drv", "qcow2").put("file", "/b/old.qcow2");
        for (JsonNode n : named) {
            if (n.path("node-name").asText().equals("libvirt-2-format")) {
                ((ArrayNode) n.get("dirty-bitmaps")).addObject().put("name", bitmap).put("recording", false)
                        .put("persistent", false).put("busy", false).put("granularity", 65536).put("count", 0);
            }
        }
        return GraphFixtures.parse(combined);
    }

    @Test
    void leftoversOfAnEarlierJobAreRefused() throws Exception {
        BlockGraph g = withLeftovers("vb-virtio-disk0-target-format", "backup-virtio-disk0");
        assertError(() -> BackupPlanner.planStart(push(DiskRequest.full("virtio-disk0", "/b/x")), g, CAPS),
                ErrorCode.OPERATION_INVALID, "block node 'vb-virtio-disk0-target-format' already exists; end or "
                        + "clean up the earlier backup job first");
        // another prefix avoids the node clash, but the temporary bitmap of an incremental is still there
        assertError(() -> BackupPlanner.planStart(push(DiskRequest.incremental("virtio-disk0", "cp2", "/b/x"))
                .jobPrefix("vb2"), g, CAPS), ErrorCode.OPERATION_INVALID,
                "temporary bitmap 'backup-virtio-disk0' already exists on disk 'virtio-disk0'; end or clean up "
                        + "the earlier backup job first");
        // a full backup does not use the temporary bitmap
        assertThat(BackupPlanner.planStart(push(DiskRequest.full("virtio-disk0", "/b/x")).jobPrefix("vb2"), g, CAPS)
                .steps()).isNotEmpty();
    }

    @Test
    void namesMustBeValidQemuIds() {
        assertError(() -> BackupPlanner.planStart(push(DiskRequest.full("virtio-disk0", "/b/x"))
                .jobPrefix("a-very-long-job-prefix"), libvirt, CAPS), ErrorCode.CONFIG_UNSUPPORTED,
                "node name 'a-very-long-job-prefix-virtio-disk0-target-storage' for disk 'virtio-disk0' is longer "
                        + "than QEMU's 31 characters; use a shorter job prefix");
        assertThatThrownBy(() -> BackupPlanner.planStart(push(DiskRequest.full("virtio-disk0", "/b/x"))
                .jobPrefix("9x"), libvirt, CAPS)).hasMessageContaining("is not a valid QEMU id");
    }

    @Test
    void backingTargetOnlyForIncrementalQcow2Push() {
        DiskRequest full = DiskRequest.full("virtio-disk0", "/b/x").backingTarget("/b/prev", DiskRequest.TargetFormat.QCOW2);
        assertError(() -> BackupPlanner.planStart(push(full), libvirt, CAPS), ErrorCode.INVALID_ARG,
                "a backing target for disk 'virtio-disk0' needs an incremental push backup into qcow2");
    }

    @Test
    void existingCheckpointBitmapIsRefused() {
        BackupRequest r = BackupRequest.push(List.of(DiskRequest.full("virtio-disk0", "/b/x")),
                Optional.of(new CheckpointRequest("cp2", List.of("virtio-disk0"))));
        assertError(() -> BackupPlanner.planStart(r, libvirt, CAPS), ErrorCode.OPERATION_INVALID,
                "bitmap 'cp2' already exists on disk 'virtio-disk0' but no checkpoint metadata claims it (an orphan "
                        + "bitmap): remove it with 'checkpoint-remove-bitmap cp2' (Domain.checkpointRemoveBitmap) or adopt "
                        + "it as a checkpoint with 'checkpoint-adopt-bitmap cp2' (Domain.checkpointAdoptBitmap), or "
                        + "choose another checkpoint name");
    }

    @Test
    void rollbackRunsUndosOfAppliedStepsInReverse() {
        BackupRequest r = BackupRequest.push(List.of(DiskRequest.full("virtio-disk0", "/b/vda.qcow2")),
                Optional.of(new CheckpointRequest("cp3", List.of("virtio-disk0"))));
        Plan plan = BackupPlanner.planStart(r, libvirt, CAPS);
        assertThat(plan.kind()).isEqualTo(Plan.Kind.START);
        assertThat(plan.rollback(0)).isEmpty();
        // all steps applied: transaction undo first, then the nodes in reverse, the file last
        List<Step> undo = plan.rollback(plan.steps().size());
        assertThat(undo.get(0)).isEqualTo(new Step.CancelJob("vb-backup-virtio-disk0"));
        assertThat(undo.get(undo.size() - 1))
                .isEqualTo(new Step.DeleteFile("/b/vda.qcow2", Step.DeleteFile.When.ALWAYS));
        List<String> undoQmp = undo.stream().flatMap(s -> s.command().stream()).map(c -> c.execute()).toList();
        assertThat(undoQmp).containsExactly("job-cancel", "query-jobs", "job-dismiss", "transaction",
                "blockdev-del", "job-dismiss", "blockdev-del");
        assertThatThrownBy(() -> plan.rollback(plan.steps().size() + 1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void aJobThatOutlivesAGuestShutdownPausesItAndCompletesTheShutdownAtTheEnd() {
        BackupRequest r = push(DiskRequest.full("virtio-disk0", "/b/vda.qcow2")).preserveOnShutdown(true);
        Plan start = BackupPlanner.planStart(r, libvirt, CAPS);
        assertThat(start.steps().get(0)).isEqualTo(new Step.QmpCall(Qmp.setShutdownAction("pause"), List.of(),
                Optional.of(Step.QmpCall.of(Qmp.setShutdownAction("poweroff")))));
        assertThat(start.rollback(start.steps().size())).last().isEqualTo(Step.QmpCall.of(Qmp.setShutdownAction("poweroff")));
        Plan end = BackupPlanner.planEnd(BackupPlanner.layout(r, libvirt, CAPS), BackupPlanner.End.COMPLETED, false);
        assertThat(end.steps()).endsWith(Step.QmpCall.of(Qmp.setShutdownAction("poweroff")),
                new Step.CompleteGuestShutdown());
        assertThat(BackupPlanner.planStart(r.preserveOnShutdown(false), libvirt, CAPS).steps())
                .noneMatch(s -> s.command().map(c -> c.execute().equals("set-action")).orElse(false));
    }

    @Test
    void plansAreValuesAndPrintAsQmp() {
        BackupRequest r = push(DiskRequest.full("virtio-disk0", "/b/vda.qcow2"));
        Plan a = BackupPlanner.planStart(r, libvirt, CAPS);
        Plan b = BackupPlanner.planStart(r, GraphFixtures.load("libvirt-cp2.json"), CAPS);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        String qmp = PlanJson.toQmpLines(a);
        assertThat(qmp.lines().toList()).hasSize(a.commands().size()).last().asString()
                .startsWith("{\"execute\":\"transaction\"");
        assertThat(PlanJson.toJsonLines(a)).startsWith("{\"plan\":\"start\"}\n");
    }

    @Test
    void creationStepsRecordWhatTheyCreate() {
        Plan plan = BackupPlanner.planStart(push(DiskRequest.full("virtio-disk0", "/b/vda.qcow2")), libvirt, CAPS);
        List<Resource> created = plan.steps().stream().flatMap(s -> s.creates().stream()).toList();
        assertThat(created).containsExactly(new Resource.File("/b/vda.qcow2"),
                new Resource.Node("vb-virtio-disk0-target-storage"),
                new Resource.Job("vb-create-virtio-disk0-target-format"),
                new Resource.Node("vb-virtio-disk0-target-format"),
                new Resource.Job("vb-backup-virtio-disk0"));
    }

    @Test
    void theEndOfAStartThatNeverFinishedResumesTheGuestAndClearsItsJobsFirst() {
        BackupLayout layout = BackupPlanner.layout(push(DiskRequest.full("virtio-disk0", "/b/vda.qcow2")), libvirt, CAPS);
        Plan plain = BackupPlanner.planEnd(layout, BackupPlanner.End.CANCEL, false);
        Plan unfinished = BackupPlanner.planEnd(layout, BackupPlanner.End.CANCEL, false,
                BackupPlanner.DEFAULT_EXPORT_GRACE,
                new BackupPlanner.Leftovers(List.of("vb-create-virtio-disk0-target-format"), true));
        assertThat(unfinished.kind()).isEqualTo(Plan.Kind.TEARDOWN);
        assertThat(unfinished.steps()).startsWith(new Step.ResumePausedGuest(),
                new Step.CancelJob("vb-create-virtio-disk0-target-format"),
                new Step.AwaitJob("vb-create-virtio-disk0-target-format", JobOutcome.ANY),
                new Step.DismissJob("vb-create-virtio-disk0-target-format"));
        assertThat(unfinished.steps().subList(4, unfinished.steps().size())).isEqualTo(plain.steps());
        assertThat(PlanJson.toQmpLines(unfinished).lines().limit(4)).containsExactly("{\"execute\":\"cont\"}",
                "{\"execute\":\"job-cancel\",\"arguments\":{\"id\":\"vb-create-virtio-disk0-target-format\"}}",
                "{\"execute\":\"query-jobs\"}",
                "{\"execute\":\"job-dismiss\",\"arguments\":{\"id\":\"vb-create-virtio-disk0-target-format\"}}");
    }

    @Test
    void copyRangeAndSpeedGoIntoTheBackupActionOnlyWhereTheSchemaHasThem() {
        DiskRequest vda = DiskRequest.full("virtio-disk0", "/b/vda.qcow2");
        BackupRequest fast = push(vda).copyRange(true).speedLimit(1 << 20);
        QmpCommand start = transactionOf(BackupPlanner.planStart(fast, libvirt, CAPS));
        String json = start.toJson().toString();
        assertThat(json).contains("\"x-perf\":{\"use-copy-range\":true}").contains("\"speed\":1048576");
        QmpSchemaValidator.qemu72().assertValid(start);

        QemuCapabilities noXPerf = new QemuCapabilities(true, true, false, true, true);
        assertThat(transactionOf(BackupPlanner.planStart(fast, libvirt, noXPerf)).toJson().toString())
                .doesNotContain("x-perf");
        assertThat(transactionOf(BackupPlanner.planStart(push(vda), libvirt, CAPS)).toJson().toString())
                .doesNotContain("x-perf").doesNotContain("speed");
    }

    private static QmpCommand transactionOf(Plan plan) {
        return plan.commands().stream().filter(c -> c.execute().equals("transaction")).findFirst().orElseThrow();
    }
}
