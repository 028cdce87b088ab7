// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * The connection to QEMU is gone: QEMU exited or crashed, the socket was closed, or the channel dropped it
 * after a fatal protocol error (then {@link #getCause()} is a {@link QmpProtocolException}). Every call that
 * was waiting for a reply fails with one of these, and every event listener is told.
 */
public final class QmpDisconnectedException extends QmpException {
    private static final long serialVersionUID = 1L;

    public QmpDisconnectedException(String message, Throwable cause) {
        super(message, cause);
    }

    /** libvirt reports a monitor EOF as {@code VIR_ERR_OPERATION_FAILED} (qemuMonitorIO). */
    @Override
    public VirtBackupException toVirtBackupException() {
        return new VirtBackupException(ErrorCode.OPERATION_FAILED, ErrorDomain.QEMU, getMessage(), this);
    }
}
