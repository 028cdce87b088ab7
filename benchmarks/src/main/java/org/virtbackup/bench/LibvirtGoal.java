// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.util.List;

/**
 * One of issue 12's performance goals: our QEMU driver's median against libvirt-java's (libvirt's API time) for
 * one step and phase. For a time the ratio is ours / libvirt's and must be at most {@code limit}; for a
 * throughput it is libvirt's time / ours (our throughput over libvirt's) and must be at least {@code limit}.
 *
 * @param text what the goal says, for the table
 * @param step the step's name
 * @param phase the lap compared
 * @param limit the bound on the ratio
 * @param throughput whether the ratio is a throughput ratio (higher is better)
 */
record LibvirtGoal(String text, String step, String phase, double limit, boolean throughput) {

    /** The goals of issue 12, for {@code disks} disks and a list of {@code checkpoints}. */
    static List<LibvirtGoal> of(int disks, int checkpoints) {
        return List.of(
                new LibvirtGoal("backupStart of " + disks + " disks <= 0.5x libvirt's", LibvirtSteps.PUSH_FULL,
                        LibvirtSteps.START, 0.5, false),
                new LibvirtGoal("push full throughput >= 1.3x libvirt's", LibvirtSteps.PUSH_FULL, Stats.TOTAL, 1.3,
                        true),
                new LibvirtGoal("checkpoint create <= 0.5x libvirt's", LibvirtSteps.CHECKPOINT_CREATE, Stats.TOTAL,
                        0.5, false),
                new LibvirtGoal("checkpoint list of " + checkpoints + " <= 0.2x libvirt's",
                        LibvirtSteps.CHECKPOINT_LIST, Stats.TOTAL, 0.2, false));
    }

    /** The goal's ratio of our median against libvirt's. */
    double ratio(Stats ours, Stats libvirt) {
        return throughput ? libvirt.median() / ours.median() : ours.median() / libvirt.median();
    }

    /** Whether {@code ratio} reaches the goal. */
    boolean met(double ratio) {
        return throughput ? ratio >= limit : ratio <= limit;
    }
}
