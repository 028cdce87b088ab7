// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.launch;

/**
 * A QEMU program could not take an image's lock: another process, typically the VM's own QEMU, has the image
 * open. The message is QEMU's.
 */
public final class ImageLockedException extends QemuProcessException {
    private static final long serialVersionUID = 1L;

    public ImageLockedException(String message) {
        super(message);
    }
}
