// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/** A call was made while the channel was in the wrong {@link QmpRunState}; the message names both states. */
public final class QmpStateException extends QmpException {
    private static final long serialVersionUID = 1L;

    private final QmpRunState actual;
    private final QmpRunState required;

    public QmpStateException(String operation, QmpRunState actual, QmpRunState required) {
        super("cannot " + operation + ": qmp channel is " + actual + ", required " + required, null);
        this.actual = actual;
        this.required = required;
    }

    /** The state the channel was in. */
    public QmpRunState actual() {
        return actual;
    }

    /** The state the operation needs. */
    public QmpRunState required() {
        return required;
    }

    /**
     * A channel or connection closed meanwhile (another thread closed it) is the caller's {@code OPERATION_INVALID};
     * one used before it connected, or outside an operation, is a bug of ours: {@code INTERNAL_ERROR}, so that no
     * test or caller takes it for an expected refusal.
     */
    @Override
    public VirtBackupException toVirtBackupException() {
        boolean closed = actual == QmpRunState.CLOSING || actual == QmpRunState.CLOSED;
        ErrorCode code = closed ? ErrorCode.OPERATION_INVALID : ErrorCode.INTERNAL_ERROR;
        return new VirtBackupException(code, ErrorDomain.QEMU, getMessage(), this);
    }
}
