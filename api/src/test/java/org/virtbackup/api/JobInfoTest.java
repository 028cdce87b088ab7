// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class JobInfoTest {

    @Test
    void pushStatisticsUseLibvirtNamesAndOrder() {
        JobInfo info = new JobInfo(JobState.COMPLETED, BackupMode.PUSH, Duration.ofMillis(642),
                OptionalLong.of(100), OptionalLong.of(100), OptionalLong.empty(), OptionalLong.empty(),
                Optional.empty(), List.of());
        assertThat(info.toTypedParameters()).containsExactly(
                java.util.Map.entry("operation", 9),
                java.util.Map.entry("time_elapsed", 642L),
                java.util.Map.entry("disk_total", 100L),
                java.util.Map.entry("disk_processed", 100L),
                java.util.Map.entry("disk_remaining", 0L),
                java.util.Map.entry("success", true));
    }

    @Test
    void runningJobHasNoSuccessField() {
        JobInfo info = new JobInfo(JobState.RUNNING, BackupMode.PULL, Duration.ZERO, OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.of(5), OptionalLong.of(10), Optional.empty(), List.of());
        assertThat(info.success()).isEmpty();
        assertThat(info.toTypedParameters()).containsKeys("disk_temp_used", "disk_temp_total")
                .doesNotContainKeys("success", "disk_total");
    }

    @Test
    void unknownSchemeIsNoConnect() {
        assertThatThrownBy(() -> Connections.open("nosuch:///x"))
                .isInstanceOfSatisfying(VirtBackupException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_CONNECT))
                .hasMessageContaining("no driver for connection URI 'nosuch:///x'");
    }

    @Test
    void errorCodesKeepLibvirtNumbers() {
        assertThat(ErrorCode.OPERATION_INVALID.number()).isEqualTo(55);
        assertThat(ErrorCode.CONFIG_UNSUPPORTED.number()).isEqualTo(67);
        assertThat(ErrorCode.CHECKPOINT_INCONSISTENT.number()).isEqualTo(109);
    }
}
