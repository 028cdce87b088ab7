// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.exec;

import org.virtbackup.qemu.plan.Qmp;
import org.virtbackup.qemu.qmp.QmpChannel;

/** What {@code query-status} says about the guest, for the steps and the ends that depend on it. */
public final class GuestState {

    private GuestState() {
    }

    /**
     * Whether the guest shut down and QEMU keeps it paused instead of exiting (status {@code shutdown}, under the
     * {@code pause} shutdown action of {@code PRESERVE_ON_GUEST_SHUTDOWN}).
     */
    public static boolean shutDown(QmpChannel qmp) {
        return qmp.execute(Qmp.queryStatus()).path("status").asText("").equals("shutdown");
    }
}
