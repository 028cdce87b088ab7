// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import org.virtbackup.api.VirtBackupException;

/**
 * Base of the QMP layer's exceptions; the tree is drawn in {@code package-info}. Unchecked, because QMP calls
 * sit inside executor steps and lambdas, and every caller above this layer converts them with
 * {@link #toVirtBackupException()} at the public boundary.
 */
public abstract class QmpException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected QmpException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The public exception a user sees for this failure, with libvirt's code and wording and this exception
     * as its cause.
     */
    public abstract VirtBackupException toVirtBackupException();
}
