// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import java.util.Locale;

/**
 * QEMU's {@code JobStatus}, as carried by {@code JOB_STATUS_CHANGE} and {@code query-jobs}. A push backup with
 * {@code auto-dismiss=false} runs {@code created, running, (paused, running,) waiting, pending, concluded},
 * then {@code null} after {@code job-dismiss} (qemu-7.2-qmp-notes.md §1).
 */
public enum JobStatus {
    UNDEFINED, CREATED, RUNNING, PAUSED, READY, STANDBY, WAITING, PENDING, ABORTING, CONCLUDED,
    /** The job is gone (dismissed); QEMU spells it {@code "null"}. */
    NULL;

    /** The QMP spelling, e.g. {@code "concluded"}. */
    public String qmpName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a QMP spelling.
     *
     * @throws IllegalArgumentException for a status this QEMU does not define
     */
    public static JobStatus fromQmp(String qmpName) {
        for (JobStatus s : values()) {
            if (s.qmpName().equals(qmpName)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown qemu job status '" + qmpName + "'");
    }
}
