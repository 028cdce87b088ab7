// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;

/** virDomainGetJobStats' typed parameters, in the field names of libvirt 9.0's backup job. */
class JobStatsTest {

    @Test
    void aRunningPushReportsDiskTotalsAndIsNotTerminal() {
        JobInfo i = new JobStats(JobStats.UNBOUNDED, Map.of("operation", 9L, "time_elapsed", 1500L,
                "disk_total", 100L, "disk_processed", 40L, "disk_remaining", 60L)).toJobInfo();
        assertThat(i.state()).isEqualTo(JobState.RUNNING);
        assertThat(i.mode()).isEqualTo(BackupMode.PUSH);
        assertThat(i.elapsed()).isEqualTo(Duration.ofMillis(1500));
        assertThat(i.diskRemaining()).hasValue(60);
        assertThat(i.success()).isEmpty();
    }

    @Test
    void aPullIsRecognisedByItsScratchUsage() {
        JobInfo i = new JobStats(JobStats.UNBOUNDED, Map.of("operation", 9L, "disk_temp_used", 0L,
                "disk_temp_total", 2048L)).toJobInfo();
        assertThat(i.mode()).isEqualTo(BackupMode.PULL);
        assertThat(i.diskTempTotal()).hasValue(2048);
    }

    @Test
    void completedFailedAndCancelledKeepLibvirtsMeaning() {
        assertThat(new JobStats(JobStats.COMPLETED, Map.of("success", true)).toJobInfo().state())
                .isEqualTo(JobState.COMPLETED);
        JobInfo failed = new JobStats(JobStats.FAILED, Map.of("success", false, "errmsg", "No space left"))
                .toJobInfo();
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.errorMessage()).hasValue("No space left");
        assertThat(failed.toTypedParameters()).containsEntry("success", false).containsEntry("errmsg", "No space left");
        assertThat(new JobStats(JobStats.COMPLETED, Map.of("success", false)).toJobInfo().state())
                .isEqualTo(JobState.FAILED);
        assertThat(new JobStats(JobStats.CANCELLED, Map.of()).toJobInfo().state()).isEqualTo(JobState.CANCELLED);
        assertThat(new JobStats(JobStats.NONE, Map.of()).toJobInfo().state()).isEqualTo(JobState.NONE);
    }

    @Test
    void onlyBackupJobsCount() {
        assertThat(new JobStats(JobStats.UNBOUNDED, Map.of("operation", 1L)).isBackupOrNone()).isFalse();
        assertThat(new JobStats(JobStats.UNBOUNDED, Map.of("operation", 9L)).isBackupOrNone()).isTrue();
        assertThat(new JobStats(JobStats.BOUNDED, Map.of()).active()).isTrue();
        assertThat(new JobStats(JobStats.COMPLETED, Map.of()).active()).isFalse();
    }
}
