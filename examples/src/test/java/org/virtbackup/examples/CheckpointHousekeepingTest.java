// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.CheckpointCreateFlag;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.qemu.launch.DiskDataGenerator;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.QemuDisk;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.testing.RequiresQemu;

@RequiresQemu
@Timeout(120)
class CheckpointHousekeepingTest {

    @TempDir
    Path tmp;

    EmbeddedQemu qemu;
    Map<String, String> options;

    @BeforeEach
    void start() {
        Path vda = tmp.resolve("vda.qcow2");
        Path vdb = tmp.resolve("vdb.qcow2");
        DiskDataGenerator.generate(vda, ImageFormat.QCOW2, 16L << 20, 21);
        DiskDataGenerator.generate(vdb, ImageFormat.QCOW2, 16L << 20, 22);
        qemu = EmbeddedQemu.builder().workDir(tmp.resolve("qemu")).disk(vda, "vda").disk(vdb, "vdb").start();
        options = Map.of("stateDir", tmp.resolve("state").toString());
    }

    @AfterEach
    void stop() {
        qemu.close();
    }

    @Test
    void keepsTheNewestAndDeletesTheOlderOnesWithTheirBitmaps() {
        create("c1", "c2", "c3", "c4", "c5");

        String log = run(2, false);
        assertThat(log).contains("health before: ok").contains("deleting checkpoint c1")
                .contains("deleting checkpoint c3").doesNotContain("deleting checkpoint c4").contains("health after: ok");
        assertThat(checkpoints()).containsExactly("c4", "c5");
        assertThat(qemuBitmaps()).isEqualTo(Map.of("vda", List.of("c4", "c5"), "vdb", List.of("c4", "c5")));
        try (Connection c = open()) {
            assertThat(c.domain().checkpointLookupByName("c4").getParent()).as("c4 is now the root").isEmpty();
            assertThat(c.domain().checkpointLookupByName("c5").isCurrent()).isTrue();
        }
        assertThat(run(2, false)).doesNotContain("deleting");
        assertThat(checkpoints()).containsExactly("c4", "c5");
    }

    @Test
    void reportsAndRepairsAMissingBitmapAndRemovesOrphansOnlyWhenAsked() {
        create("c1", "c2", "c3");
        bitmap("block-dirty-bitmap-remove", "vda", "c2"); // behind our back
        bitmap("block-dirty-bitmap-add", "vdb", "stray"); // another tool's, or a crash between QMP and metadata

        String log = run(10, false);
        assertThat(log).contains("health before: 1 problem(s), 1 orphan bitmap(s)")
                .contains("checkpoint c2 disk vda: missing").contains("checkpoint c2 disk vdb: ok")
                .contains("repairing checkpoint c2: delete the checkpoint's metadata")
                .contains("orphan bitmap stray on disk vdb").contains("orphan bitmap stray left alone")
                .doesNotContain("deleting checkpoint");
        assertThat(checkpoints()).containsExactly("c1", "c3");
        assertThat(qemuBitmaps()).isEqualTo(Map.of("vda", List.of("c1", "c3"), "vdb", List.of("c1", "c3", "stray")));

        CheckpointHousekeeping.Summary s = CheckpointHousekeeping.run(qemu.qmpUri("vm1").toString(), options, 10,
                true, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(s.repaired()).isEmpty();
        assertThat(s.orphansRemoved()).containsExactly("stray");
        assertThat(s.after().ok()).isTrue();
        assertThat(qemuBitmaps()).isEqualTo(Map.of("vda", List.of("c1", "c3"), "vdb", List.of("c1", "c3")));
    }

    private void create(String... names) {
        try (Connection c = open()) {
            for (String n : names) {
                c.domain().checkpointCreateXml("<domaincheckpoint><name>" + n + "</name></domaincheckpoint>",
                        EnumSet.noneOf(CheckpointCreateFlag.class));
            }
        }
    }

    private String run(int keep, boolean removeOrphans) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        CheckpointHousekeeping.run(qemu.qmpUri("vm1").toString(), options, keep, removeOrphans,
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        return buf.toString(StandardCharsets.UTF_8);
    }

    private Connection open() {
        return Connections.open(qemu.qmpUri("vm1"), options);
    }

    private List<String> checkpoints() {
        try (Connection c = open()) {
            return c.domain().listAllCheckpoints(EnumSet.of(CheckpointListFlag.TOPOLOGICAL)).stream()
                    .map(DomainCheckpoint::name).toList();
        }
    }

    /** What QEMU itself reports: disk to the sorted bitmap names of its format node. */
    private Map<String, List<String>> qemuBitmaps() {
        JsonNode nodes = qemu.control(new QmpCommand("query-named-block-nodes",
                JsonNodeFactory.instance.objectNode().put("flat", true)));
        Map<String, List<String>> out = new TreeMap<>();
        for (QemuDisk d : qemu.disks()) {
            List<String> names = new ArrayList<>();
            for (JsonNode n : nodes) {
                if (n.path("node-name").asText().equals(d.formatNode())) {
                    n.path("dirty-bitmaps").forEach(b -> names.add(b.path("name").asText()));
                }
            }
            names.sort(null);
            out.put(d.deviceId(), names);
        }
        return out;
    }

    private void bitmap(String command, String disk, String name) {
        QemuDisk d = qemu.disks().stream().filter(x -> x.deviceId().equals(disk)).findFirst().orElseThrow();
        var args = JsonNodeFactory.instance.objectNode().put("node", d.formatNode()).put("name", name);
        if (command.endsWith("add")) {
            args.put("persistent", true);
        }
        qemu.control(new QmpCommand(command, args));
    }
}
