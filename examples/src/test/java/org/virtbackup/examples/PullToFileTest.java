// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.JobState;
import org.virtbackup.qemu.launch.DiskDataGenerator;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.testing.RequiresQemu;

@RequiresQemu
@Timeout(120)
class PullToFileTest {

    @TempDir
    Path tmp;

    Path vda;
    Path vdb;
    Path out;
    EmbeddedQemu qemu;
    Map<String, String> options;

    @BeforeEach
    void start() {
        vda = tmp.resolve("vda.qcow2");
        vdb = tmp.resolve("vdb.qcow2");
        DiskDataGenerator.generate(vda, ImageFormat.QCOW2, 32L << 20, 11);
        DiskDataGenerator.generate(vdb, ImageFormat.QCOW2, 16L << 20, 12);
        qemu = EmbeddedQemu.builder().workDir(tmp.resolve("qemu")).disk(vda, "vda").disk(vdb, "vdb").start();
        options = Map.of("stateDir", tmp.resolve("state").toString());
        out = tmp.resolve("out");
    }

    @AfterEach
    void stop() throws Exception {
        try (Connection c = Connections.open(qemu.qmpUri("vm1"), options)) {
            assertThat(c.domain().jobInfo(false).state()).as("no backup job left").isEqualTo(JobState.NONE);
        } finally {
            qemu.close();
        }
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no scratch image left")
                    .containsExactlyInAnyOrder("vda.qcow2", "vdb.qcow2", "qemu", "state", "out", "vda.ref", "vdb.ref");
        }
    }

    @Test
    void fullThenIncrementalMirrorsEqualTheDisksAtEachPoint() throws Exception {
        references();
        String first = run(true);
        assertThat(first).contains("full pull").contains("disk vda: full copy").contains("disk vdb: full copy");
        assertMirrorsEqualReferences();

        qemu.guestWrite("vda", 1 << 20, 128 << 10, 0xaa);
        qemu.guestWrite("vda", 20 << 20, 1 << 20, 0xbb);
        qemu.guestWriteZeroes("vdb", 8 << 20, 64 << 10);
        references();
        String second = run(true);
        assertThat(second).contains("incremental pull since pull-")
                .contains("disk vda: " + ((128 << 10) + (1 << 20)) + " changed bytes")
                .contains("disk vdb: " + (64 << 10) + " changed bytes");
        assertMirrorsEqualReferences();
        List<String> cps = checkpoints();
        assertThat(cps).hasSize(2);
        try (Connection c = Connections.open(qemu.qmpUri("vm1"), options)) {
            assertThat(c.domain().checkpointLookupByName(cps.get(1)).getParent().map(DomainCheckpoint::name))
                    .contains(cps.get(0));
        }
        assertThat(Files.readString(out.resolve("checkpoint")).strip()).isEqualTo(cps.get(1));
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("vda.raw", "vdb.raw", "checkpoint");
        }
    }

    @Test
    void aFailedReaderDiscardsTheCheckpointAndTheNextRunCoversTheLostChanges() throws Exception {
        Files.createDirectories(out.resolve("vdb.raw.part")); // nbdcopy cannot write there
        assertThat(run(false)).contains("reader failed: nbdcopy failed").contains("discarded");
        assertThat(checkpoints()).as("no checkpoint pretends the failed full was saved").isEmpty();
        Files.delete(out.resolve("vdb.raw.part"));

        run(true);
        String saved = checkpoints().get(0);
        qemu.guestWrite("vdb", 2 << 20, 256 << 10, 0x33);
        Files.createDirectories(out.resolve("vdb.extent.part")); // qemu-img cannot write the extent there
        assertThat(run(false)).contains("incremental pull since " + saved).contains("reader failed: qemu-img failed");
        assertThat(checkpoints()).containsExactly(saved);
        assertThat(Files.readString(out.resolve("checkpoint")).strip()).isEqualTo(saved);
        Files.delete(out.resolve("vdb.extent.part"));

        qemu.guestWrite("vda", 5 << 20, 64 << 10, 0x44);
        references();
        assertThat(run(true)).contains("incremental pull since " + saved)
                .contains("disk vdb: " + (256 << 10) + " changed bytes");
        assertMirrorsEqualReferences();
    }

    private String run(boolean expectCopied) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PullToFile.Outcome o = PullToFile.run(qemu.qmpUri("vm1").toString(), options, out,
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        assertThat(o.copied()).as(buf.toString(StandardCharsets.UTF_8)).isEqualTo(expectCopied);
        assertThat(o.end().state()).isEqualTo(JobState.COMPLETED);
        return buf.toString(StandardCharsets.UTF_8);
    }

    /** The disks' content now, after a flush: what the next pull must copy. */
    private void references() {
        qemu.guestFlush("vda");
        qemu.guestFlush("vdb");
        QemuImg.snapshotToRaw(vda, ImageFormat.QCOW2, tmp.resolve("vda.ref"));
        QemuImg.snapshotToRaw(vdb, ImageFormat.QCOW2, tmp.resolve("vdb.ref"));
    }

    private void assertMirrorsEqualReferences() throws Exception {
        assertThat(Files.mismatch(out.resolve("vda.raw"), tmp.resolve("vda.ref"))).as("vda").isEqualTo(-1);
        assertThat(Files.mismatch(out.resolve("vdb.raw"), tmp.resolve("vdb.ref"))).as("vdb").isEqualTo(-1);
    }

    private List<String> checkpoints() {
        try (Connection c = Connections.open(qemu.qmpUri("vm1"), options)) {
            return c.domain().listAllCheckpoints(EnumSet.of(CheckpointListFlag.TOPOLOGICAL)).stream()
                    .map(DomainCheckpoint::name).toList();
        }
    }
}
