// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.block.BlockGraph;
import org.virtbackup.qemu.block.GraphFixtures;
import org.virtbackup.qemu.plan.DiskRequest.StoreType;
import org.virtbackup.qemu.plan.DiskRequest.TargetFormat;
import org.virtbackup.qemu.qmp.QemuCapabilities;
import org.virtbackup.qemu.qmp.QmpCommand;

/**
 * Golden plans: {@code src/test/resources/plans/<case>/graph.json} (a captured block graph) plus the request
 * built below give {@code expected-plan.jsonl}, or {@code expected-error.txt} for refused requests.
 * {@code -Dvirtbackup.test.regenerate=true} rewrites the expected files; review the diff. Every QMP command of
 * every plan, undo steps included, is checked against QEMU 7.2's schema.
 */
class GoldenPlanTest {
    private static final Path DIR = Path.of("src/test/resources/plans");
    private static final boolean REGENERATE = Boolean.getBoolean("virtbackup.test.regenerate");
    private static final QemuCapabilities CAPS = QemuCapabilities.QEMU_7_2;
    private static final String IMG = "/var/lib/libvirt/images/";
    private static final String VDA = "virtio-disk0";
    private static final String VDB = "virtio-disk1";

    private static Map<String, Function<BlockGraph, Plan>> cases() {
        Map<String, Function<BlockGraph, Plan>> c = new LinkedHashMap<>();
        c.put("push-full-1disk-checkpoint", g -> start(g, pushFullOne()));
        c.put("push-full-2disk-checkpoint", g -> start(g, pushFullTwo()));
        c.put("push-preserve-on-shutdown", g -> start(g, pushFullOne().preserveOnShutdown(true)));
        c.put("push-incremental", g -> start(g, push(List.of(incVda()), checkpoint("cp3", VDA))));
        c.put("push-incremental-libvirt-backing", g -> start(g, push(List.of(
                DiskRequest.incremental(VDA, "cp2", IMG + "bk-vda.inc.qcow2")), checkpoint("cp3", VDA))));
        c.put("push-mixed-full-incremental", g -> start(g, pushMixed()));
        c.put("push-raw-target", g -> start(g, push(List.of(
                DiskRequest.full(VDA, IMG + "bk-vda.raw").format(TargetFormat.RAW)), Optional.empty())));
        c.put("push-block-target", g -> start(g, push(List.of(
                DiskRequest.full(VDA, "/dev/vg0/bk-vda").store(StoreType.BLOCK),
                DiskRequest.full(VDB, "/dev/vg0/bk-vdb").store(StoreType.BLOCK).format(TargetFormat.RAW)),
                Optional.empty())));
        c.put("push-reuse-external", g -> start(g, pushMixed().reuseExternal(true)));
        c.put("push-incremental-chain3", g -> start(g, push(List.of(
                DiskRequest.incremental("vda", "cp1", "/backup/vda.inc.qcow2")
                        .backingTarget("/backup/vda.full.qcow2", TargetFormat.QCOW2),
                DiskRequest.incremental("vdc", "cp2", "/backup/vdc.inc.qcow2")),
                Optional.of(new CheckpointRequest("cp4", List.of("vda", "vdc"))))));
        c.put("push-broken-chain", g -> start(g, push(List.of(
                DiskRequest.incremental("vda", "cpgap", "/backup/vda.inc.qcow2")), Optional.empty())));
        c.put("push-inconsistent-bitmap", g -> start(g, push(List.of(
                DiskRequest.incremental("vdc", "cp1", "/backup/vdc.inc.qcow2")), Optional.empty())));
        c.put("push-checkpoint-on-raw-disk", g -> start(g, push(List.of(
                DiskRequest.full("vdb", "/backup/vdb.qcow2")), checkpoint("cp9", "vdb"))));
        c.put("pull-full-unix", g -> start(g, pullFullUnix()));
        c.put("pull-incremental-tcp-tls", g -> start(g, pullIncTls()));
        c.put("pull-raw-scratch", g -> start(g, BackupRequest.pull(List.of(
                DiskRequest.full(VDA, IMG + "s.raw").format(TargetFormat.RAW)), Optional.empty(),
                NbdServer.unix("/run/vb/nbd.sock"))));
        c.put("pull-block-scratch", g -> start(g, BackupRequest.pull(List.of(
                DiskRequest.incremental(VDA, "cp2", "/dev/vg0/scratch-vda").store(StoreType.BLOCK)),
                Optional.empty(), NbdServer.unix("/run/vb/nbd.sock"))));
        c.put("pull-full-fd", g -> start(g, pullFullFd()));
        c.put("pull-cbw-full-unix", g -> start(g, pullFullUnix().pullMethod(PullMethod.CBW)));
        c.put("pull-cbw-incremental-tcp-tls", g -> start(g, pullIncTls().pullMethod(PullMethod.CBW)));
        c.put("end-push-completed", g -> end(g, pushMixed(), BackupPlanner.End.COMPLETED, false));
        c.put("end-push-cancel", g -> end(g, pushFullTwo(), BackupPlanner.End.CANCEL, false));
        c.put("end-push-preserve-on-shutdown", g -> end(g, pushFullOne().preserveOnShutdown(true),
                BackupPlanner.End.COMPLETED, false));
        c.put("end-push-reuse-external-cancel", g -> end(g, pushMixed().reuseExternal(true),
                BackupPlanner.End.CANCEL, false));
        c.put("end-pull", g -> end(g, pullIncTls(), BackupPlanner.End.COMPLETED, false));
        c.put("end-pull-discard-checkpoint", g -> end(g, pullFullUnix(), BackupPlanner.End.CANCEL, true));
        c.put("end-pull-cbw", g -> end(g, pullIncTls().pullMethod(PullMethod.CBW), BackupPlanner.End.COMPLETED,
                false));
        c.put("end-pull-cbw-discard-checkpoint", g -> end(g, pullFullUnix().pullMethod(PullMethod.CBW),
                BackupPlanner.End.CANCEL, true));
        c.put("end-pull-fd", g -> end(g, pullFullFd(), BackupPlanner.End.COMPLETED, false));
        c.put("checkpoint-create", g -> CheckpointPlanner.planCreate("cp2", List.of(VDA, VDB), g));
        c.put("checkpoint-delete", g -> CheckpointPlanner.planDelete("cp1", List.of(VDA, VDB), g));
        c.put("checkpoint-delete-missing", g -> CheckpointPlanner.planDelete("cp7", List.of(VDA), g));
        c.put("checkpoint-delete-read-only-layer", g -> CheckpointPlanner.planDelete("cp1", List.of("vda"), g));
        c.put("checkpoint-delete-snapshot-backing", g -> CheckpointPlanner.planDelete("cp1", List.of("vda"), g));
        return c;
    }

    private static BackupRequest pushFullOne() {
        return push(List.of(DiskRequest.full(VDA, IMG + "bk-vda.full.qcow2")), checkpoint("cp2", VDA));
    }

    private static BackupRequest pushFullTwo() {
        return push(List.of(DiskRequest.full(VDA, IMG + "bk-vda.full.qcow2"),
                DiskRequest.full(VDB, IMG + "bk-vdb.full.qcow2")), checkpoint("cp2", VDA, VDB));
    }

    private static DiskRequest incVda() {
        return DiskRequest.incremental(VDA, "cp2", IMG + "bk-vda.inc.qcow2")
                .backingTarget(IMG + "bk-vda.full.qcow2", TargetFormat.QCOW2);
    }

    private static BackupRequest pushMixed() {
        return push(List.of(incVda(), DiskRequest.full(VDB, IMG + "bk-vdb.full2.qcow2")),
                checkpoint("cp3", VDA, VDB));
    }

    private static BackupRequest pullFullUnix() {
        return BackupRequest.pull(List.of(DiskRequest.full(VDA, IMG + "bk-vda.scratch.qcow2"),
                DiskRequest.full(VDB, IMG + "bk-vdb.scratch.qcow2")), checkpoint("cp2", VDA, VDB),
                NbdServer.unix("/run/vb/nbd.sock"));
    }

    /** libvirt 11.3's backup-pull-fd.xml: the NBD server listens on the caller's socket, fd group nbd-listener. */
    private static BackupRequest pullFullFd() {
        return BackupRequest.pull(List.of(DiskRequest.full(VDA, IMG + "bk-vda.scratch.qcow2")), Optional.empty(),
                new NbdServer(NbdAddress.Fd.of("nbd-listener", BackupRequest.DEFAULT_PREFIX), Optional.empty(), false));
    }

    /** libvirt's own pull in the s6 trace: vda incremental since cp2, vdb full, new checkpoint cp4 on vda. */
    private static BackupRequest pullIncTls() {
        return BackupRequest.pull(List.of(DiskRequest.incremental(VDA, "cp2", IMG + "bk-vda.scratch.qcow2"),
                DiskRequest.full(VDB, IMG + "bk-vdb.scratch.qcow2")), checkpoint("cp4", VDA),
                NbdServer.tcp("localhost", 10809).tls("/etc/pki/qemu", false));
    }

    private static BackupRequest push(List<DiskRequest> disks, Optional<CheckpointRequest> cp) {
        return BackupRequest.push(disks, cp);
    }

    private static Optional<CheckpointRequest> checkpoint(String name, String... disks) {
        return Optional.of(new CheckpointRequest(name, List.of(disks)));
    }

    private static Plan start(BlockGraph g, BackupRequest r) {
        return BackupPlanner.planStart(r, g, CAPS);
    }

    private static Plan end(BlockGraph g, BackupRequest r, BackupPlanner.End end, boolean discard) {
        return BackupPlanner.planEnd(BackupPlanner.layout(r, g, CAPS), end, discard);
    }

    @TestFactory
    Stream<DynamicTest> goldenPlans() {
        return cases().entrySet().stream()
                .map(e -> DynamicTest.dynamicTest(e.getKey(), () -> check(e.getKey(), e.getValue())));
    }

    private static void check(String name, Function<BlockGraph, Plan> planner) throws IOException {
        Path dir = DIR.resolve(name);
        BlockGraph graph = GraphFixtures.parse(new ObjectMapper().readTree(dir.resolve("graph.json").toFile()));
        String actual;
        Path expected;
        try {
            Plan plan = planner.apply(graph);
            assertThat(planner.apply(graph)).as("plans are values").isEqualTo(plan);
            for (QmpCommand c : plan.allCommands()) {
                QmpSchemaValidator.qemu72().assertValid(c);
            }
            actual = PlanJson.toJsonLines(plan);
            expected = dir.resolve("expected-plan.jsonl");
        } catch (VirtBackupException e) {
            actual = e.code() + ": " + e.getMessage() + "\n";
            expected = dir.resolve("expected-error.txt");
        }
        if (REGENERATE) {
            Files.writeString(expected, actual, StandardCharsets.UTF_8);
        }
        assertThat(expected).as("golden file of case " + name).exists();
        assertThat(actual).isEqualTo(Files.readString(expected, StandardCharsets.UTF_8));
    }
}
