// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.virtbackup.qemu.driver.CheckpointQemu.create;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.CheckpointDeleteFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.launch.BitmapInfo;
import org.virtbackup.qemu.launch.DiskDataGenerator;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.testing.QemuLeftovers;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * Checkpoints across an external snapshot on a real QEMU: a 1-disk domain whose vda gets an overlay with
 * {@code blockdev-snapshot} (the old top becomes a read-only backing layer), with the checkpoint bitmaps copied
 * into the overlay as libvirt does. Deleting a checkpoint reopens the backing layer read-write and read-only again.
 */
@RequiresQemu
@Timeout(120)
class CheckpointBackingChainTest {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final String BASE = "vda-format";
    private static final String OVERLAY = "vda-ovl-format";

    @TempDir
    Path tmp;

    Path vda;
    Path overlay;
    EmbeddedQemu qemu;
    Connection conn;

    @BeforeEach
    void start() {
        vda = tmp.resolve("vda.qcow2");
        overlay = tmp.resolve("vda.ovl.qcow2");
        DiskDataGenerator.generate(vda, ImageFormat.QCOW2, DomainFixture.SIZE, 7);
        qemu = EmbeddedQemu.builder().workDir(tmp.resolve("qemu")).disk(vda, "vda").start();
        conn = Connections.open(qemu.qmpUri("vm1"), Map.of("stateDir", tmp.resolve("state").toString()));
    }

    @AfterEach
    void stop() {
        try {
            conn.close();
        } finally {
            qemu.close();
        }
    }

    /**
     * External snapshot of vda as a management tool makes it: an overlay node, {@code blockdev-snapshot}, and the
     * recording bitmaps of the old top re-created in the overlay (libvirt's {@code qemuSnapshotDiskBitmapsPropagate}).
     */
    private void snapshot(String... propagated) {
        QemuImg.createOverlay(overlay, vda, ImageFormat.QCOW2);
        ObjectNode add = JSON.objectNode().put("driver", "qcow2").put("node-name", OVERLAY).put("discard", "unmap");
        add.putNull("backing");
        add.putObject("file").put("driver", "file").put("node-name", "vda-ovl-storage")
                .put("filename", overlay.toString()).put("auto-read-only", true).put("discard", "unmap");
        qemu.control(new QmpCommand("blockdev-add", add));
        qemu.control(new QmpCommand("blockdev-snapshot", JSON.objectNode().put("node", BASE).put("overlay", OVERLAY)));
        for (String b : propagated) {
            qemu.control(new QmpCommand("block-dirty-bitmap-add",
                    JSON.objectNode().put("node", OVERLAY).put("name", b).put("persistent", true)));
        }
        assertThat(readOnly(BASE)).as("blockdev-snapshot leaves the old top read-only").isTrue();
    }

    private JsonNode node(String name) {
        for (JsonNode n : qemu.control(new QmpCommand("query-named-block-nodes", JSON.objectNode().put("flat", true)))) {
            if (n.path("node-name").asText().equals(name)) {
                return n;
            }
        }
        throw new AssertionError("no node " + name);
    }

    private boolean readOnly(String nodeName) {
        return node(nodeName).path("ro").asBoolean();
    }

    /** Node name to the sorted names of its bitmaps, for both layers. */
    private Map<String, List<String>> layers() {
        Map<String, List<String>> out = new TreeMap<>();
        for (String name : List.of(BASE, OVERLAY)) {
            List<String> bitmaps = new java.util.ArrayList<>();
            node(name).path("dirty-bitmaps").forEach(b -> bitmaps.add(b.path("name").asText("<anonymous>")));
            bitmaps.sort(null);
            out.put(name, bitmaps);
        }
        return out;
    }

    private static Map<String, List<String>> layers(List<String> base, List<String> overlay) {
        return Map.of(BASE, base, OVERLAY, overlay);
    }

    private Domain dom() {
        return conn.domain();
    }

    private void delete(String checkpoint, CheckpointDeleteFlag... flags) {
        EnumSet<CheckpointDeleteFlag> set = EnumSet.noneOf(CheckpointDeleteFlag.class);
        set.addAll(List.of(flags));
        dom().checkpointLookupByName(checkpoint).delete(set);
    }

    private List<String> checkpoints() {
        return dom().listAllCheckpoints(Set.of()).stream().map(DomainCheckpoint::name).sorted().toList();
    }

    private static List<String> imageBitmaps(Path image) {
        return QemuImg.bitmaps(image, false).stream().map(BitmapInfo::name).sorted().toList();
    }

    @Test
    void deletingACheckpointRemovesItsBitmapFromTheReadOnlyBackingLayerWhichStaysReadOnly() {
        create(dom(), "cp1");
        snapshot("cp1");
        create(dom(), "cp2");
        assertThat(layers()).isEqualTo(layers(List.of("cp1"), List.of("cp1", "cp2")));

        delete("cp1");

        assertThat(layers()).isEqualTo(layers(List.of(), List.of("cp2")));
        assertThat(readOnly(BASE)).as("the backing layer is read-only again").isTrue();
        assertThat(readOnly(OVERLAY)).isFalse();
        assertThat(checkpoints()).containsExactly("cp2");
        conn.close();
        qemu.close();
        assertThat(imageBitmaps(vda)).as("qemu-img info of the backing file once QEMU closed it").isEmpty();
        assertThat(imageBitmaps(overlay)).containsExactly("cp2");
        assertThat(QemuImg.check(vda).isClean()).isTrue();
    }

    @Test
    void middleAndLeafDeletesAndAnIncrementalBackupAcrossTheLayers() {
        Path full = tmp.resolve("full.qcow2");
        push(null, full, "cp1");
        qemu.guestWrite("vda", 1 << 20, 256 << 10, 0x11); // before the snapshot: only the backing layer's cp1
        create(dom(), "cp2");
        snapshot("cp1", "cp2");
        qemu.guestWrite("vda", 9 << 20, 128 << 10, 0x22); // after: only the overlay's
        create(dom(), "cp3");

        delete("cp2"); // the middle one, in both layers
        assertThat(layers()).isEqualTo(layers(List.of("cp1"), List.of("cp1", "cp3")));
        assertThat(readOnly(BASE)).isTrue();

        Path inc = tmp.resolve("inc.qcow2");
        push("cp1", inc, "cp4"); // merges cp1 of both layers into a temporary bitmap on the overlay
        qemu.guestFlush("vda");
        assertThat(QemuImg.identical(overlay, inc, true)).as("full <- inc equals the disk across both layers").isTrue();
        assertThat(readOnly(BASE)).isTrue();

        delete("cp4"); // a leaf, overlay only: no reopen
        delete("cp1", CheckpointDeleteFlag.CHILDREN); // the root and its child cp3
        assertThat(layers()).isEqualTo(layers(List.of(), List.of()));
        assertThat(readOnly(BASE)).isTrue();
        assertThat(checkpoints()).isEmpty();
        assertNoLeftovers();
    }

    /** No job, export, temporary bitmap or node besides the two layers' is left in QEMU. */
    private void assertNoLeftovers() {
        conn.close();
        try (QmpChannel qmp = qemu.openQmp()) {
            QemuLeftovers.Report r = QemuLeftovers.inspect(qmp,
                    Set.of("vda-storage", BASE, "vda-ovl-storage", OVERLAY));
            assertThat(r.isClean()).as("leftovers in QEMU: %s", r).isTrue();
        }
    }

    private void push(String incremental, Path target, String checkpoint) {
        String xml = "<domainbackup>" + (incremental == null ? "" : "<incremental>" + incremental + "</incremental>")
                + "<disks><disk name='vda' type='file'><target file='" + target + "'/></disk></disks></domainbackup>";
        BackupJob job = dom().backupStart(xml, "<domaincheckpoint><name>" + checkpoint + "</name></domaincheckpoint>",
                Set.of());
        JobInfo done = job.awaitCompletion(Duration.ofSeconds(60));
        assertThat(done.state()).as("job %s", done).isEqualTo(JobState.COMPLETED);
        assertThat(dom().backupEnd(Set.of()).success()).contains(true);
    }

    @Test
    void aRemovalThatFailsLeavesTheBackingLayerReadOnlyAndEveryBitmapInPlace() throws Exception {
        create(dom(), "cp1");
        snapshot("cp1");
        qemu.guestWrite("vda", 0, 4 << 20, 0x33);
        // A job outside virtbackup reads the overlay's cp1 (throttled to stay running): QEMU refuses to remove it.
        qemu.control(new QmpCommand("blockdev-add", JSON.objectNode().put("driver", "null-co").put("node-name", "busy-sink")
                .put("size", DomainFixture.SIZE)));
        qemu.control(new QmpCommand("blockdev-backup", JSON.objectNode().put("job-id", "busy").put("device", OVERLAY)
                .put("target", "busy-sink").put("sync", "bitmap").put("bitmap", "cp1").put("bitmap-mode", "never")
                .put("speed", 1)));

        VirtBackupException e = catchThrowableOfType(() -> delete("cp1"), VirtBackupException.class);

        assertThat(e).hasMessageContaining("Bitmap 'cp1' is currently in use by another operation");
        assertThat(readOnly(BASE)).as("the rollback reopened the backing layer read-only").isTrue();
        assertThat(layers().get(BASE)).containsExactly("cp1");
        assertThat(layers().get(OVERLAY)).contains("cp1");
        assertThat(checkpoints()).containsExactly("cp1");

        qemu.control(new QmpCommand("job-cancel", JSON.objectNode().put("id", "busy")));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (qemu.control(QmpCommand.of("query-jobs")).size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        qemu.control(new QmpCommand("blockdev-del", JSON.objectNode().put("node-name", "busy-sink")));

        delete("cp1"); // nothing was half done: the same delete now succeeds
        assertThat(layers()).isEqualTo(layers(List.of(), List.of()));
        assertThat(readOnly(BASE)).isTrue();
        assertThat(checkpoints()).isEmpty();
        assertNoLeftovers();
    }
}
