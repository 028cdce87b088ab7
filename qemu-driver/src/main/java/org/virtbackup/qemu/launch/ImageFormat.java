// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.launch;

import java.util.Locale;

/** The disk image formats the launcher attaches and {@link QemuImg} creates. */
public enum ImageFormat {
    QCOW2, RAW;

    /** QEMU's driver name, e.g. {@code "qcow2"}. */
    public String driver() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses QEMU's driver name.
     *
     * @throws IllegalArgumentException for any other format
     */
    public static ImageFormat fromDriver(String driver) {
        for (ImageFormat f : values()) {
            if (f.driver().equals(driver)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unsupported image format '" + driver + "', expected qcow2 or raw");
    }
}
