// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.exec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;

/**
 * A QEMU job's entry in {@code query-jobs}.
 *
 * @param id the job id
 * @param status QEMU's status name, e.g. {@code running}, {@code concluded}
 * @param currentProgress bytes done (for pull jobs: scratch in use)
 * @param totalProgress bytes to do
 * @param error QEMU's error, for a failed or cancelled job
 */
public record JobResult(String id, String status, long currentProgress, long totalProgress, Optional<String> error) {

    public JobResult {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(error, "error");
    }

    /** Parses one entry of the {@code query-jobs} return array. */
    public static JobResult fromQueryJobs(JsonNode entry) {
        JsonNode err = entry.path("error");
        return new JobResult(entry.path("id").asText(), entry.path("status").asText(),
                entry.path("current-progress").asLong(0), entry.path("total-progress").asLong(0),
                err.isMissingNode() || err.isNull() ? Optional.empty() : Optional.of(err.asText()));
    }

    /** Whether the job has finished ({@code concluded}, or {@code null} = already dismissed). */
    public boolean isConcluded() {
        return "concluded".equals(status) || "null".equals(status);
    }
}
