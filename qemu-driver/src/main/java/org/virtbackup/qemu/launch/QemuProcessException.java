// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.launch;

/** A QEMU process ({@code qemu-system-*} or {@code qemu-img}) failed to start, failed, or reported an error. */
public class QemuProcessException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public QemuProcessException(String message) {
        super(message);
    }

    public QemuProcessException(String message, Throwable cause) {
        super(message, cause);
    }
}
