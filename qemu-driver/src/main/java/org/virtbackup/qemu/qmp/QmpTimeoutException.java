// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * No reply (or no awaited event) arrived in time. The channel stays usable: a reply that arrives later is
 * logged and dropped because its id is no longer pending.
 */
public final class QmpTimeoutException extends QmpException {
    private static final long serialVersionUID = 1L;

    public QmpTimeoutException(String message) {
        super(message, null);
    }

    @Override
    public VirtBackupException toVirtBackupException() {
        return new VirtBackupException(ErrorCode.OPERATION_TIMEOUT, ErrorDomain.QEMU, getMessage(), this);
    }
}
