// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;

class JobInfoFormatTest {

    /** virsh 9.0's output for libvirt's own full push of 1 GiB + 64 MiB (qmp-traces/s6_libvirt/run.out). */
    @Test
    void completedPushMatchesVirsh() {
        long total = (1L << 30) + (64L << 20);
        JobInfo info = new JobInfo(JobState.COMPLETED, BackupMode.PUSH, Duration.ofMillis(671), OptionalLong.of(total),
                OptionalLong.of(total), OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), List.of());
        assertThat(JobInfoFormat.text(info)).isEqualTo("""
                Job type:         Completed   \n\
                Operation:        Backup      \n\
                Time elapsed:     671          ms
                File processed:   1.062 GiB
                File remaining:   0.000 B
                File total:       1.062 GiB
                """);
    }

    @Test
    void runningPullShowsScratchUsage() {
        JobInfo info = new JobInfo(JobState.RUNNING, BackupMode.PULL, Duration.ofMillis(58), OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.of(0), OptionalLong.of((1L << 30) + (64L << 20)), Optional.empty(), List.of());
        assertThat(JobInfoFormat.text(info)).isEqualTo("""
                Job type:         Unbounded   \n\
                Operation:        Backup      \n\
                Time elapsed:     58           ms
                Temporary disk space use: 0.000 B
                Temporary disk space total: 1.062 GiB
                """);
    }

    @Test
    void noJob() {
        JobInfo none = new JobInfo(JobState.NONE, BackupMode.PUSH, Duration.ZERO, OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), List.of());
        assertThat(JobInfoFormat.text(none)).isEqualTo("Job type:         None        \n");
    }

    @Test
    void jsonCarriesTypedParametersAndEscapes() {
        JobInfo failed = new JobInfo(JobState.FAILED, BackupMode.PUSH, Duration.ofMillis(5), OptionalLong.of(10),
                OptionalLong.of(4), OptionalLong.empty(), OptionalLong.empty(), Optional.of("Input/output \"error\""),
                List.of());
        assertThat(JobInfoFormat.json(failed)).isEqualTo("{\"type\": \"failed\", \"operation\": 9, \"time_elapsed\": 5, "
                + "\"disk_total\": 10, \"disk_processed\": 4, \"disk_remaining\": 6, \"success\": false, "
                + "\"errmsg\": \"Input/output \\\"error\\\"\"}\n");
    }
}
