// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * The peer broke the QMP protocol in a way that leaves no safe way on: a missing or malformed greeting, or an
 * error reply without an id (QEMU sends one only when it could not parse a command, so no pending call can be
 * told which of them failed). The channel is closed; pending calls see it as the cause of their
 * {@link QmpDisconnectedException}.
 */
public final class QmpProtocolException extends QmpException {
    private static final long serialVersionUID = 1L;

    public QmpProtocolException(String message) {
        super(message, null);
    }

    public QmpProtocolException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public VirtBackupException toVirtBackupException() {
        return new VirtBackupException(ErrorCode.INTERNAL_ERROR, ErrorDomain.QEMU, getMessage(), this);
    }
}
