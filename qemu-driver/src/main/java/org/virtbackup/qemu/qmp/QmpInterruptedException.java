// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * The calling thread was interrupted while it waited for a reply or an event. The thread's interrupt flag is
 * set again before this is thrown.
 */
public final class QmpInterruptedException extends QmpException {
    private static final long serialVersionUID = 1L;

    public QmpInterruptedException(String message, InterruptedException cause) {
        super(message, cause);
    }

    @Override
    public VirtBackupException toVirtBackupException() {
        return new VirtBackupException(ErrorCode.OPERATION_ABORTED, ErrorDomain.QEMU, getMessage(), this);
    }
}
