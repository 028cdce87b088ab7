// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.virtbackup.qemu.exec.Journal;
import org.virtbackup.qemu.plan.Resource;
import org.virtbackup.qemu.plan.Step;
import org.virtbackup.qemu.store.JobRecord;
import org.virtbackup.qemu.store.JobStore;

/** A journal that adds each step's resources to the persisted job record before the step runs. */
final class RecordJournal implements Journal {

    private final JobStore store;
    private JobRecord record;

    RecordJournal(JobStore store, JobRecord record) {
        this.store = store;
        this.record = record;
    }

    JobRecord record() {
        return record;
    }

    @Override
    public void beforeStep(int index, Step step) {
        List<JsonNode> created = step.creates().stream().map(Resource::toJson).map(JsonNode.class::cast).toList();
        if (!created.isEmpty()) {
            record = record.withCreated(created);
            store.save(record);
        }
    }

    @Override
    public void afterStep(int index, Step step) {
    }
}
