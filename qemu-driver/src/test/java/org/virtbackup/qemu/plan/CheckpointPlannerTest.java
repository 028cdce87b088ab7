// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.block.BlockGraph;
import org.virtbackup.qemu.block.GraphFixtures;
import org.virtbackup.qemu.qmp.QmpCommand;

/** Size plans and the orphan refusal, on chain3.json (vda: top <- mid <- base; vdc: cp1 inconsistent). */
class CheckpointPlannerTest {

    private static final BlockGraph CHAIN3 = GraphFixtures.load("chain3.json");

    private static Map<String, String> disks(String... diskBitmap) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < diskBitmap.length; i += 2) {
            m.put(diskBitmap[i], diskBitmap[i + 1]);
        }
        return m;
    }

    private static List<String> json(Plan p) {
        List<QmpCommand> all = p.allCommands();
        all.forEach(c -> QmpSchemaValidator.qemu72().assertValid(c));
        return p.commands().stream().map(c -> c.toJson().toString()).toList();
    }

    @Test
    void sizeMergesTheBitmapOfEveryLayerIntoADisabledTemporaryOnTop() {
        CheckpointPlanner.SizePlan p = CheckpointPlanner.planSize(disks("vda", "cp1", "vdc", "cp2"), CHAIN3);
        assertThat(p.temporaries()).containsOnlyKeys("vda", "vdc");
        assertThat(p.temporaries().get("vda")).isEqualTo(new BitmapRef("top-format", CheckpointPlanner.SIZE_BITMAP));
        assertThat(json(p.measure())).containsExactly("{\"execute\":\"transaction\",\"arguments\":{\"actions\":["
                + "{\"type\":\"block-dirty-bitmap-add\",\"data\":{\"node\":\"top-format\",\"name\":\"vb-tmp-size\","
                + "\"persistent\":false,\"disabled\":true,\"granularity\":65536}},"
                + "{\"type\":\"block-dirty-bitmap-merge\",\"data\":{\"node\":\"top-format\",\"target\":\"vb-tmp-size\","
                + "\"bitmaps\":[{\"node\":\"top-format\",\"name\":\"cp1\"},{\"node\":\"mid-format\",\"name\":\"cp1\"},"
                + "{\"node\":\"base-format\",\"name\":\"cp1\"}]}},"
                + "{\"type\":\"block-dirty-bitmap-add\",\"data\":{\"node\":\"crash-format\",\"name\":\"vb-tmp-size\","
                + "\"persistent\":false,\"disabled\":true,\"granularity\":65536}},"
                + "{\"type\":\"block-dirty-bitmap-merge\",\"data\":{\"node\":\"crash-format\",\"target\":\"vb-tmp-size\","
                + "\"bitmaps\":[{\"node\":\"crash-format\",\"name\":\"cp2\"}]}}]}}");
        assertThat(json(p.cleanup())).containsExactly("{\"execute\":\"transaction\",\"arguments\":{\"actions\":["
                + "{\"type\":\"block-dirty-bitmap-remove\",\"data\":{\"node\":\"top-format\",\"name\":\"vb-tmp-size\"}},"
                + "{\"type\":\"block-dirty-bitmap-remove\",\"data\":{\"node\":\"crash-format\",\"name\":\"vb-tmp-size\"}}]}}");
        // a failure of the measuring transaction is undone by removing the temporaries
        assertThat(p.measure().rollback(1)).hasSize(1);
    }

    @Test
    void disksWithAnInvalidChainAreNotMeasured() {
        CheckpointPlanner.SizePlan p = CheckpointPlanner.planSize(
                disks("vda", "cpgap", "vdc", "cp1", "vdz", "cp1", "vdb", "cp1"), CHAIN3);
        assertThat(p.temporaries()).isEmpty();
        assertThat(p.measure().steps()).isEmpty();
        assertThat(p.cleanup().steps()).isEmpty();
    }

    @Test
    void sizeUsesTheCheckpointBitmapsGranularity() {
        // cpdis in mid has 128 KiB granularity but is disabled: invalid; cp2 keeps the top's 64 KiB
        CheckpointPlanner.SizePlan p = CheckpointPlanner.planSize(disks("vda", "cp2"), CHAIN3);
        assertThat(json(p.measure()).get(0)).contains("\"granularity\":65536")
                .contains("{\"node\":\"mid-format\",\"name\":\"cp2\"}").doesNotContain("base-format");
    }

    @Test
    void anOrphanBitmapOfTheSameNameIsRefusedBeforeQemuNamingTheRepairs() {
        assertThatThrownBy(() -> CheckpointPlanner.planCreate("cp3", List.of("vda"), CHAIN3))
                .isInstanceOf(VirtBackupException.class)
                .hasMessageContaining("bitmap 'cp3' already exists on disk 'vda' but no checkpoint metadata claims it")
                .hasMessageContaining("'checkpoint-remove-bitmap cp3'")
                .hasMessageContaining("'checkpoint-adopt-bitmap cp3'")
                .satisfies(e -> assertThat(((VirtBackupException) e).code()).isEqualTo(ErrorCode.OPERATION_INVALID));
    }

    @Test
    void deleteUsesEachDisksOwnBitmapName() {
        Plan p = CheckpointPlanner.planDelete(disks("vda", "cp3", "vdc", "cp2"), CHAIN3);
        assertThat(json(p)).containsExactly("{\"execute\":\"transaction\",\"arguments\":{\"actions\":["
                + "{\"type\":\"block-dirty-bitmap-remove\",\"data\":{\"node\":\"top-format\",\"name\":\"cp3\"}},"
                + "{\"type\":\"block-dirty-bitmap-remove\",\"data\":{\"node\":\"crash-format\",\"name\":\"cp2\"}}]}}");
    }

    @Test
    void readOnlyLayersAreReopenedReadWriteAroundTheRemovalAndBackOnFailure() {
        Plan p = CheckpointPlanner.planDelete(disks("vda", "cp2"), CHAIN3);
        assertThat(p.kind()).isEqualTo(Plan.Kind.START);
        List<String> cmds = json(p);
        assertThat(cmds).hasSize(3);
        // mid-storage is read-only itself (no auto-read-only): it is reopened with the format node
        assertThat(cmds.get(0)).startsWith("{\"execute\":\"blockdev-reopen\",\"arguments\":{\"options\":["
                + "{\"driver\":\"file\",\"node-name\":\"mid-storage\",\"filename\":\"/srv/vm/mid.qcow2\","
                + "\"read-only\":false,").contains("{\"driver\":\"qcow2\",\"node-name\":\"mid-format\","
                + "\"file\":\"mid-storage\",\"backing\":\"base-format\",\"read-only\":false,");
        assertThat(cmds.get(2)).contains("\"node-name\":\"mid-format\"").contains("\"read-only\":true")
                .doesNotContain("\"read-only\":false");
        // a failed transaction rolls back to the read-only reopen; the transaction has no undo
        assertThat(p.rollback(2)).containsExactly(p.steps().get(2));
        assertThat(p.rollback(1)).containsExactly(p.steps().get(2));
    }

    @Test
    void readOnlyLayerWithAGeneratedNodeNameIsRefusedSayingWhatToDo() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
        BlockGraph g = BlockGraph.from(m.readTree("""
                [{"device":"drive-vdd","qdev":"/machine/peripheral/vdd/virtio-backend","inserted":{
                  "node-name":"#block131","drv":"qcow2","file":"/t","image":{"filename":"/t","format":"qcow2",
                  "backing-image":{"filename":"/b","format":"qcow2"}}}}]"""), m.readTree("""
                [{"node-name":"#block131","drv":"qcow2","file":"/t","dirty-bitmaps":[{"name":"cp1","persistent":true}]},
                 {"node-name":"#block023","drv":"file","file":"/t"},
                 {"node-name":"#block398","drv":"qcow2","file":"/b","ro":true,
                  "dirty-bitmaps":[{"name":"cp1","persistent":true}]},
                 {"node-name":"#block294","drv":"file","file":"/b","ro":true}]"""));
        assertThatThrownBy(() -> CheckpointPlanner.planDelete(disks("drive-vdd", "cp1"), g))
                .isInstanceOfSatisfying(VirtBackupException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_UNSUPPORTED))
                .hasMessage("bitmap 'cp1' of disk 'drive-vdd' is in read-only layer '#block398' and cannot be "
                        + "reopened read-write to remove it: node '#block398' has a name QEMU generated (an image "
                        + "opened with -drive or from a backing file header), which QEMU 7.2's blockdev-reopen "
                        + "cannot address (\"Cannot change the option 'node-name'\"); attach the disk's images with "
                        + "-blockdev and node names; or, with the domain shut off, run 'qemu-img bitmap --remove /b "
                        + "cp1' and delete the checkpoint's metadata only (METADATA_ONLY, checkpoint-delete --metadata)");
        // a bitmap in writable layers only needs no reopen
        assertThat(CheckpointPlanner.planDelete(disks("vda", "cp3"), CHAIN3).kind()).isEqualTo(Plan.Kind.TEARDOWN);
    }
}
