// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.exec;

import org.virtbackup.qemu.plan.Step;

/**
 * Where the executor records its progress. {@link #beforeStep} must be durable when it returns: a crash
 * right after it leaves a record of everything the step may have created.
 */
public interface Journal {

    /** A journal that records nothing (dry runs, checkpoint plans that need no crash record). */
    Journal NONE = new Journal() {
        @Override
        public void beforeStep(int index, Step step) {
        }

        @Override
        public void afterStep(int index, Step step) {
        }
    };

    /** Called before step {@code index} runs; records {@link Step#creates()}. */
    void beforeStep(int index, Step step);

    /** Called after step {@code index} succeeded. */
    void afterStep(int index, Step step);
}
