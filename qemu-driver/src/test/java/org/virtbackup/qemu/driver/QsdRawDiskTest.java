// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtbackup.api.Connection;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.launch.BitmapInfo;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.testing.RequiresQemu;

/** A stopped VM with a qcow2 disk (vda) and a raw one (vdb): full backups of both, checkpoints of vda only. */
@RequiresQemu
@Timeout(120)
class QsdRawDiskTest extends QsdVmTest {

    @Override
    QsdFixture fixture(Path dir) throws Exception {
        return new QsdFixture(dir, ImageFormat.RAW);
    }

    @Test
    void fullBackupOfQcow2AndRawDisksEqualsThemAndCheckpointsSkipTheRawOne() throws Exception {
        Path vdaFull = tmp.resolve("vda.full.qcow2");
        Path vdbFull = tmp.resolve("vdb.full.qcow2");
        try (Connection c = f.offline()) {
            assertThatThrownBy(() -> c.domain().backupStart(PushBackupTest.pushXml(null, vdaFull, vdbFull),
                    PushBackupTest.checkpointXml("cp1"), Set.of()))
                    .isInstanceOfSatisfying(VirtBackupException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_UNSUPPORTED))
                    .hasMessageContaining("unsupported for storage type raw");
            String vdaOnly = "<domaincheckpoint><name>cp1</name><disks><disk name='vda'/>"
                    + "<disk name='vdb' checkpoint='no'/></disks></domaincheckpoint>";
            var job = c.domain().backupStart(PushBackupTest.pushXml(null, vdaFull, vdbFull), vdaOnly, Set.of());
            job.awaitCompletion(java.time.Duration.ofSeconds(60));
            c.domain().backupEnd(Set.of());
        }
        assertThat(QemuImg.identical(f.vda, vdaFull)).isTrue();
        assertThat(QemuImg.identical(f.vdb, vdbFull)).as("the raw disk, read by the daemon").isTrue();
        assertThat(QemuImg.bitmaps(f.vda, false)).extracting(BitmapInfo::name).containsExactly("cp1");
    }
}
