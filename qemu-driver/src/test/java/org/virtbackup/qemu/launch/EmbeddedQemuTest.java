// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.qmp.QmpConnectException;
import org.virtbackup.qemu.testing.QemuLeftovers;
import org.virtbackup.qemu.testing.RequiresQemu;

@RequiresQemu
@Timeout(60)
class EmbeddedQemuTest {
    private static final long MIB = 1 << 20;
    private static final long SIZE = 16 * MIB;

    @TempDir
    Path dir;

    @AfterEach
    void noQemuSurvives() {
        List<ProcessHandle> left = QemuLeftovers.survivingQemuProcesses();
        assertThat(left).as(QemuLeftovers.describe(left)).isEmpty();
    }

    private Path image(String name) {
        Path p = dir.resolve(name);
        QemuImg.create(p, ImageFormat.QCOW2, SIZE);
        return p;
    }

    /** A raw file with {@code pattern} at [offset, offset+length), zero elsewhere. */
    private Path expected(String name, long offset, int length, int pattern) throws IOException {
        Path p = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(SIZE);
            byte[] b = new byte[length];
            Arrays.fill(b, (byte) pattern);
            f.seek(offset);
            f.write(b);
        }
        return p;
    }

    @Test
    void twoDisksGuestWritesAndACloseThatLeavesNoProcess() throws IOException {
        Path vda = image("vda.qcow2");
        Path vdb = image("vdb.qcow2");
        long pid;
        Path work;
        try (EmbeddedQemu qemu = EmbeddedQemu.builder().disk(vda, "vda").disk(vdb, "vdb").start()) {
            pid = qemu.pid();
            work = qemu.workDir();
            assertThat(Files.getPosixFilePermissions(work)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            qemu.guestWrite("vda", MIB, 64 * 1024, 0xab);
            qemu.guestWrite("vdb", 2 * MIB, 128 * 1024, 0x5a);
            qemu.guestWriteZeroes("vdb", 2 * MIB + 64 * 1024, 64 * 1024);
            qemu.guestWrite("vdb", 4 * MIB, 64 * 1024, 0x11);
            qemu.guestDiscard("vdb", 4 * MIB, 64 * 1024);
            qemu.guestFlush("vda");
            try (QmpChannel qmp = qemu.openQmp()) {
                // the disk's name discovered via qdev is the device id
                JsonNode block = qmp.execute(QmpCommand.of("query-block"));
                assertThat(block).extracting(b -> b.path("qdev").asText())
                        .containsExactly("/machine/peripheral/vda/virtio-backend",
                                "/machine/peripheral/vdb/virtio-backend");
                assertThat(block).extracting(b -> b.path("inserted").path("node-name").asText())
                        .containsExactly("vda-format", "vdb-format");
                assertThat(QemuLeftovers.inspect(qmp, Set.of("vda-storage", "vda-format", "vdb-storage",
                        "vdb-format")).isClean()).isTrue();
            }
        }
        assertThat(ProcessHandle.of(pid)).isEmpty();
        assertThat(work).doesNotExist();
        assertThat(QemuImg.identical(vda, expected("vda.raw", MIB, 64 * 1024, 0xab))).isTrue();
        assertThat(QemuImg.identical(vdb, expected("vdb.raw", 2 * MIB, 64 * 1024, 0x5a))).isTrue();
        assertThat(QemuImg.identical(vda, vdb)).isFalse();
        assertThat(QemuImg.check(vda).isClean()).isTrue();
    }

    @Test
    void guestIoIsCheckedBeforeItIsSent() {
        Path vda = image("vda.qcow2");
        Path ro = image("ro.qcow2");
        try (EmbeddedQemu qemu = EmbeddedQemu.builder().workDir(dir.resolve("w")).disk(vda, "vda")
                .disk(QemuDisk.qcow2(ro, "vdb").asReadOnly()).start()) {
            assertThatThrownBy(() -> qemu.guestWrite("vda", SIZE - 512, 1024, 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("past the end of disk 'vda'");
            assertThatThrownBy(() -> qemu.guestWrite("vdz", 0, 512, 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no disk 'vdz'").hasMessageContaining("[vda, vdb]");
            assertThatThrownBy(() -> qemu.guestWrite("vdb", 0, 512, 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("read-only");
            assertThatThrownBy(() -> qemu.guestWrite("vda", 0, 512, 256))
                    .isInstanceOf(IllegalArgumentException.class);
            // a returned HMP error string becomes an exception: the format node is taken by the device
            try (QmpChannel qmp = qemu.openQmp()) {
                GuestIo viaNode = new GuestIo(qmp, MachineType.NONE);
                assertThatThrownBy(() -> viaNode.run(qemu.disks().get(0), "write -P 0x01 0 512", 0, 512))
                        .isInstanceOf(QemuProcessException.class).hasMessageContaining("Permission conflict");
            }
        }
        assertThat(dir.resolve("w/qemu.log")).exists(); // a caller's work dir is kept
    }

    @Test
    void machineNoneWritesThroughTheFormatNode() throws IOException {
        Path vda = image("vda.qcow2");
        try (EmbeddedQemu qemu = EmbeddedQemu.builder().machine(MachineType.NONE).disk(vda, "vda").start()) {
            qemu.guestWrite("vda", 0, 4096, 0x42);
        }
        assertThat(QemuImg.identical(vda, expected("e.raw", 0, 4096, 0x42))).isTrue();
    }

    @Test
    void thePublicSocketServesOneClientButGuestIoStillWorks() {
        try (EmbeddedQemu qemu = EmbeddedQemu.builder().disk(image("vda.qcow2"), "vda").start();
                QmpChannel first = qemu.openQmp()) {
            QmpChannel second = QmpChannel.unix(qemu.qmpSocket(), java.time.Duration.ofMillis(300),
                    QmpChannel.DEFAULT_COMMAND_TIMEOUT);
            assertThatThrownBy(second::connect).isInstanceOf(QmpConnectException.class)
                    .hasMessageContaining("one client at a time");
            qemu.guestWrite("vda", 0, 512, 7); // over the launcher's own monitor
            assertThat(qemu.qmpUri("vm1").toString()).isEqualTo("qmp+unix://" + qemu.qmpSocket() + "?domain=vm1");
        }
    }

    @Test
    void persistentBitmapsShowInQemuImgAfterClose() {
        Path vda = image("vda.qcow2");
        try (EmbeddedQemu qemu = EmbeddedQemu.builder().machine(MachineType.NONE).disk(vda, "vda").start();
                QmpChannel qmp = qemu.openQmp()) {
            qmp.execute(new QmpCommand("block-dirty-bitmap-add", JsonNodeFactory.instance.objectNode()
                    .put("node", "vda-format").put("name", "cp1").put("persistent", true)));
            qmp.execute(new QmpCommand("block-dirty-bitmap-add", JsonNodeFactory.instance.objectNode()
                    .put("node", "vda-format").put("name", "tmp").put("persistent", false)));
            assertThat(QemuLeftovers.inspect(qmp, Set.of("vda-storage", "vda-format")).temporaryBitmaps())
                    .containsExactly("vda-format/tmp");
        }
        List<BitmapInfo> bitmaps = QemuImg.bitmaps(vda, false);
        assertThat(bitmaps).extracting(BitmapInfo::name).containsExactly("cp1");
        assertThat(bitmaps.get(0).recording()).isTrue();
        assertThat(bitmaps.get(0).inUse()).isFalse();
        assertThat(bitmaps.get(0).granularity()).isEqualTo(65536);
    }

    @Test
    void killStopsQemuAtOnce() {
        EmbeddedQemu qemu = EmbeddedQemu.builder().machine(MachineType.NONE).start();
        qemu.kill();
        assertThat(qemu.isAlive()).isFalse();
        assertThat(qemu.exitCode()).hasValue(137); // 128 + SIGKILL
        assertThatThrownBy(() -> qemu.guestFlush("vda")).isInstanceOf(IllegalArgumentException.class);
        qemu.close();
        qemu.close();
    }

    @Test
    void aQemuThatCannotStartReportsItsLog() {
        assertThatThrownBy(() -> EmbeddedQemu.builder().machine(MachineType.NONE)
                .extraArgs("-virtbackup-no-such-option").start())
                .isInstanceOf(QemuProcessException.class).hasMessageContaining("during startup")
                .hasMessageContaining("-virtbackup-no-such-option");
        assertThatThrownBy(() -> EmbeddedQemu.builder().disk(dir.resolve("none.qcow2"), "vda").start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not exist");
        Path vda = image("vda.qcow2");
        assertThatThrownBy(() -> EmbeddedQemu.builder().disk(vda, "vda").disk(vda, "vda").start())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("disk 'vda' specified twice");
    }
}
