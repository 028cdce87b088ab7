// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.exec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.virtbackup.qemu.plan.Qmp;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpException;

/** Reads {@code query-jobs}. */
public final class QemuJobs {

    private QemuJobs() {
    }

    /** Every job QEMU knows, by id. */
    public static Map<String, JobResult> query(QmpChannel qmp) {
        try {
            JsonNode reply = qmp.execute(Qmp.queryJobs());
            Map<String, JobResult> jobs = new LinkedHashMap<>();
            reply.forEach(e -> jobs.put(e.path("id").asText(), JobResult.fromQueryJobs(e)));
            return jobs;
        } catch (QmpException e) {
            throw e.toVirtBackupException();
        }
    }
}
