// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/** The planner's errors, with libvirt's codes and wording (libvirt-backup-reference.md §3.5). */
final class Errors {
    private Errors() {
    }

    static VirtBackupException configUnsupported(String message) {
        return new VirtBackupException(ErrorCode.CONFIG_UNSUPPORTED, ErrorDomain.QEMU, message);
    }

    static VirtBackupException operationInvalid(String message) {
        return new VirtBackupException(ErrorCode.OPERATION_INVALID, ErrorDomain.QEMU, message);
    }

    static VirtBackupException operationUnsupported(String message) {
        return new VirtBackupException(ErrorCode.OPERATION_UNSUPPORTED, ErrorDomain.QEMU, message);
    }

    static VirtBackupException invalidArg(String message) {
        return new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.QEMU, message);
    }

    static VirtBackupException internal(String message) {
        return new VirtBackupException(ErrorCode.INTERNAL_ERROR, ErrorDomain.QEMU, message);
    }

    /** libvirt's {@code VIR_ERR_CHECKPOINT_INCONSISTENT} for a missing or broken bitmap chain. */
    static VirtBackupException brokenBitmap(String checkpoint, String disk, String reason) {
        return new VirtBackupException(ErrorCode.CHECKPOINT_INCONSISTENT, ErrorDomain.QEMU,
                "missing or broken bitmap '" + checkpoint + "' for disk '" + disk + "': " + reason);
    }
}
