// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.qemu.testing.RequiresQemu;

@RequiresQemu
@Timeout(60)
class QemuImgTest {
    private static final long SIZE = 32L << 20;

    @TempDir
    Path dir;

    @Test
    void createAndInfo() {
        Path q = dir.resolve("a.qcow2");
        QemuImg.create(q, ImageFormat.QCOW2, SIZE);
        ImageInfo info = QemuImg.info(q);
        assertThat(info.format()).isEqualTo("qcow2");
        assertThat(info.virtualSize()).isEqualTo(SIZE);
        assertThat(info.clusterSize()).hasValue(65536L);
        assertThat(info.backingFile()).isEmpty();
        assertThat(info.bitmaps()).isEmpty();
        assertThat(QemuImg.check(q).isClean()).isTrue();

        Path overlay = dir.resolve("o.qcow2");
        QemuImg.createOverlay(overlay, q, ImageFormat.QCOW2);
        assertThat(QemuImg.info(overlay).backingFile()).hasValue(q.toString());
        assertThat(QemuImg.identical(q, overlay)).isTrue();
    }

    @Test
    void generatedDataIsReproducibleAndVaried() {
        Path a = dir.resolve("a.qcow2");
        Path b = dir.resolve("b.raw");
        Path c = dir.resolve("c.qcow2");
        DiskDataGenerator.Summary s = DiskDataGenerator.generate(a, ImageFormat.QCOW2, SIZE, 42);
        DiskDataGenerator.generate(b, ImageFormat.RAW, SIZE, 42);
        DiskDataGenerator.generate(c, ImageFormat.QCOW2, SIZE, 43);
        assertThat(s.randomBytes() + s.patternBytes() + s.zeroBytes() + s.holeBytes()).isEqualTo(SIZE);
        assertThat(s.randomBytes()).isPositive();
        assertThat(s.patternBytes()).isPositive();
        assertThat(s.zeroBytes()).isPositive();
        assertThat(s.holeBytes()).isPositive();
        assertThat(QemuImg.identical(a, b)).isTrue();
        assertThat(QemuImg.identical(a, c)).isFalse(); // qemu-img compare detects a difference
        assertThat(dir.resolve("a.qcow2.gen.raw")).doesNotExist();
        ImageInfo info = QemuImg.info(a);
        assertThat(info.actualSize()).isLessThan(SIZE); // holes and zeroes stay unallocated
    }

    @Test
    void differentSizesAreNotIdentical() {
        Path a = dir.resolve("a.qcow2");
        Path b = dir.resolve("b.qcow2");
        QemuImg.create(a, ImageFormat.QCOW2, SIZE);
        QemuImg.create(b, ImageFormat.QCOW2, 2 * SIZE);
        assertThat(QemuImg.identical(a, b)).isFalse();
    }

    @Test
    void failuresSayWhatQemuImgSaid() {
        assertThatThrownBy(() -> QemuImg.info(dir.resolve("missing.qcow2")))
                .isInstanceOf(QemuProcessException.class).hasMessageContaining("missing.qcow2");
        assertThatThrownBy(() -> DiskDataGenerator.generate(dir.resolve("x"), ImageFormat.RAW, 1000, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
