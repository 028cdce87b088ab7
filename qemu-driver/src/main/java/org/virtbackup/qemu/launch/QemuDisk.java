// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.launch;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A disk image attached to an {@link EmbeddedQemu}: node {@code <id>-storage} (file), node
 * {@code <id>-format} (qcow2 or raw), and on q35 device {@code <id>} (virtio-blk-pci).
 *
 * @param image the image file
 * @param deviceId the device id, e.g. {@code "vda"}: a letter, then letters, digits, '-', '.', '_', at most
 *     23 characters (node names are limited to 31 and get a suffix)
 * @param format the image format
 * @param readOnly attach read-only
 * @param blockDevice the image is a host block device: its storage node has driver {@code host_device}
 *     ({@code file} refuses a device that is not a regular file)
 */
public record QemuDisk(Path image, String deviceId, ImageFormat format, boolean readOnly, boolean blockDevice) {
    private static final Pattern ID = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,22}");

    public QemuDisk {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(format, "format");
        if (!ID.matcher(deviceId).matches()) {
            throw new IllegalArgumentException("device id '" + deviceId + "' is not usable: use a letter, then "
                    + "letters, digits, '-', '.', '_', at most 23 characters");
        }
        image = image.toAbsolutePath();
    }

    /** A disk whose image is a file. */
    public QemuDisk(Path image, String deviceId, ImageFormat format, boolean readOnly) {
        this(image, deviceId, format, readOnly, false);
    }

    /** A writable qcow2 disk. */
    public static QemuDisk qcow2(Path image, String deviceId) {
        return new QemuDisk(image, deviceId, ImageFormat.QCOW2, false);
    }

    /** A writable raw disk. */
    public static QemuDisk raw(Path image, String deviceId) {
        return new QemuDisk(image, deviceId, ImageFormat.RAW, false);
    }

    /** This disk, attached read-only. */
    public QemuDisk asReadOnly() {
        return new QemuDisk(image, deviceId, format, true, blockDevice);
    }

    /** {@code <id>-storage}, the file node, named as libvirt names its storage nodes. */
    public String storageNode() {
        return deviceId + "-storage";
    }

    /** {@code <id>-format}, the format node the device uses. */
    public String formatNode() {
        return formatNodeOf(deviceId);
    }

    /** The format node of the disk with device id {@code deviceId}. */
    public static String formatNodeOf(String deviceId) {
        return deviceId + "-format";
    }

    /** The QOM path of the device's BlockBackend on q35, e.g. {@code /machine/peripheral/vda/virtio-backend}. */
    public String qomBackend() {
        return "/machine/peripheral/" + deviceId + "/virtio-backend";
    }
}
