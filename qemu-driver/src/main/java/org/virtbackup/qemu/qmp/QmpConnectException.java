// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * The channel could not reach a usable monitor: the socket is missing, refused the connection, or is busy
 * with another client. {@link #busy()} tells the last case apart.
 */
public final class QmpConnectException extends QmpException {
    private static final long serialVersionUID = 1L;

    private final boolean busy;

    public QmpConnectException(String message, boolean busy, Throwable cause) {
        super(message, cause);
        this.busy = busy;
    }

    /** True when the monitor accepted the connection but served another client (no greeting arrived). */
    public boolean busy() {
        return busy;
    }

    @Override
    public VirtBackupException toVirtBackupException() {
        return new VirtBackupException(busy ? ErrorCode.RESOURCE_BUSY : ErrorCode.NO_CONNECT, ErrorDomain.QEMU,
                getMessage(), this);
    }
}
