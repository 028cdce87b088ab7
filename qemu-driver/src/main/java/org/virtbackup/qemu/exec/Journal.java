// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.exec;

import org.virtbackup.qemu.plan.Step;

/**
 * What the executor tells of its progress, step by step. (A backup start records everything its plan may
 * create before the plan runs, so nothing here needs to reach the disk.)
 */
public interface Journal {

    /** A journal that records nothing. */
    Journal NONE = new Journal() {
        @Override
        public void beforeStep(int index, Step step) {
        }

        @Override
        public void afterStep(int index, Step step) {
        }
    };

    /** Called before step {@code index} runs. */
    void beforeStep(int index, Step step);

    /** Called after step {@code index} succeeded. */
    void afterStep(int index, Step step);
}
