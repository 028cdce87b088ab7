// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.qemu.launch.DiskDataGenerator;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.testing.RequiresQemu;

@RequiresQemu
@Timeout(120)
class NightlyBackupTest {

    @Test
    void firstNightIsFullSecondIsIncrementalAndTheChainRestores(@TempDir Path tmp) {
        Path vda = tmp.resolve("vda.qcow2");
        DiskDataGenerator.generate(vda, ImageFormat.QCOW2, 32L << 20, 7);
        try (EmbeddedQemu qemu = EmbeddedQemu.builder().workDir(tmp.resolve("qemu")).disk(vda, "vda").start()) {
            Map<String, String> options = Map.of("stateDir", tmp.resolve("state").toString());
            String uri = qemu.qmpUri("vm1").toString();

            String first = run(uri, options);
            assertThat(first).contains("full backup").contains("result: COMPLETED").contains("JOB_COMPLETED");

            qemu.guestWrite("vda", 4 << 20, 256 << 10, 0x5a);
            String second = run(uri, options);
            assertThat(second).contains("incremental backup since nightly-").contains("result: COMPLETED");

            qemu.guestFlush("vda");
            String target = second.replaceAll("(?s).*<target file='([^']+)'/>.*", "$1");
            assertThat(QemuImg.info(Path.of(target), true).backingFile()).as("incremental on top of the full").isPresent();
            assertThat(QemuImg.identical(vda, Path.of(target), true)).isTrue();
        }
    }

    private static String run(String uri, Map<String, String> options) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        JobInfo info = NightlyBackup.run(uri, options, new PrintStream(buf, true, StandardCharsets.UTF_8));
        assertThat(info.state()).isEqualTo(JobState.COMPLETED);
        return buf.toString(StandardCharsets.UTF_8);
    }
}
