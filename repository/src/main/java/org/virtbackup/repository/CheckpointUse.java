// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import org.virtbackup.api.CheckpointHealth;
import org.virtbackup.api.Domain;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;

/**
 * Whether a domain's checkpoint can still be the base of an incremental: it exists, and where the driver can
 * tell ({@link Domain#checkpointHealth()}), each of its disks' bitmaps is {@code ok}. A QEMU killed while it ran
 * leaves its bitmaps marked in use, not trustworthy: an incremental since them would miss changes, so
 * {@code auto} then takes a full. A driver without the health report (libvirt's) is trusted to refuse an
 * inconsistent checkpoint at the backup's start.
 */
final class CheckpointUse {
    private CheckpointUse() {
    }

    static boolean usable(Domain dom, String checkpoint) {
        try {
            dom.checkpointLookupByName(checkpoint);
        } catch (VirtBackupException e) {
            if (e.code() == ErrorCode.NO_DOMAIN_CHECKPOINT) {
                return false;
            }
            throw e;
        }
        CheckpointHealth health;
        try {
            health = dom.checkpointHealth();
        } catch (VirtBackupException e) {
            if (e.code() == ErrorCode.NO_SUPPORT || e.code() == ErrorCode.OPERATION_UNSUPPORTED) {
                return true;
            }
            throw e;
        }
        return health.problems().stream().noneMatch(d -> d.checkpoint().equals(checkpoint));
    }
}
