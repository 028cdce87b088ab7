// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.api;

import java.util.List;
import java.util.Objects;

/**
 * What {@link Domain#backupEnd} would do now, computed without changing anything: how the job would end and
 * the exact QMP commands of its end plan, in order.
 *
 * @param outcome the statistics the end would report, with the state it would decide
 * @param qmpPlan the QMP commands of the end plan, in order, one JSON object each (as sent, without ids); a
 *     wait for a job shows as the {@code query-jobs} that reads its end
 * @since 0.2
 */
public record BackupEndDryRun(JobInfo outcome, List<String> qmpPlan) {

    public BackupEndDryRun {
        Objects.requireNonNull(outcome, "outcome");
        qmpPlan = List.copyOf(qmpPlan);
    }
}
