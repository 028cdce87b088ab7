// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import org.virtbackup.qemu.plan.BackupLayout;
import org.virtbackup.qemu.store.JobRecord;

/**
 * The layout of the domain's current job, kept per connection: computed from the job's record once (parsing its
 * aligned XML and planning again), or handed over by the start that made it. Only a job's options (a speed
 * change) can change its layout, so the one computed for a job id and its options stays right while both do.
 */
final class JobLayouts {
    private String jobId;
    private JobRecord.Options options;
    private BackupLayout layout;

    /** The layout of {@code rec}'s job. */
    synchronized BackupLayout of(JobRecord rec, String domainName) {
        if (!rec.jobId().equals(jobId) || !rec.options().equals(options)) {
            remember(rec, BackupService.layoutOf(rec, domainName));
        }
        return layout;
    }

    /** Keeps the layout a start computed for the job it recorded. */
    synchronized void remember(JobRecord rec, BackupLayout computed) {
        jobId = rec.jobId();
        options = rec.options();
        layout = computed;
    }
}
