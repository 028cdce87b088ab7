// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.testing.RequiresQemu;

@RequiresQemu
@Timeout(180)
class DemoCommandTest {

    @Test
    void theDemoVerifiesEveryBackupAndCleansUp(@TempDir Path tmp) {
        Path work = tmp.resolve("work dir"); // a space: the qsd: and NBD URIs quote it
        var r = CliRunner.run("demo", "--size", "32", "--workdir", work.toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("full push backup + checkpoint cp1", "incremental push since cp1",
                "pull backup + checkpoint cp3, read via NBD", "checkpoint list + delete cp1",
                "offline incremental since cp2 + cp4 (qsd:)", "online incremental since cp4 + cp5",
                "one checkpoint history online and offline", "all backups verified")
                .doesNotContain(" NO\n");
        assertThat(work.resolve("state/demo/backup.json")).as("no job left").doesNotExist();
        assertThat(work.resolve("state/demo/storage-daemon.json")).as("no qemu-storage-daemon left").doesNotExist();
        assertThat(work.resolve("backups/vda.full.qcow2")).exists();
        // the offline incremental's chain: full <- inc1 (cp2) <- offline (cp4) <- inc3 (cp5)
        assertThat(QemuImg.info(work.resolve("backups/vda.inc3.qcow2"), false).backingFile())
                .contains(work.resolve("backups/vda.offline.qcow2").toString());
        assertThat(QemuImg.info(work.resolve("backups/vda.offline.qcow2"), false).backingFile())
                .contains(work.resolve("backups/vda.inc1.qcow2").toString());
    }

    @Test
    void sizeOutOfRangeIsAUsageError() {
        var r = CliRunner.run("demo", "--size", "1");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: --size must be between 16 and 65536 MiB");
    }
}
