// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

/** What an {@link Step.AwaitJob} expects of the concluded job's {@code query-jobs} entry. */
public enum JobOutcome {
    /** Concluded without {@code error}; anything else fails the step (create jobs). */
    SUCCESS,
    /** Anything: the result is only recorded (teardown, where the job may have failed or been cancelled). */
    ANY
}
