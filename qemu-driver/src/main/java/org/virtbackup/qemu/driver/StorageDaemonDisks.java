// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.QemuDisk;
import org.virtbackup.xml.model.DiskDevice;
import org.virtbackup.xml.model.DiskType;
import org.virtbackup.xml.model.DomainDef;
import org.virtbackup.xml.model.DomainDiskDef;

/**
 * The images a {@code qemu-storage-daemon} opens for a stopped domain: each disk of its libvirt
 * {@code <domain>} with media, named after its {@code <target dev>} (so its format node is the one QEMU has
 * online under the launcher's naming), read-only where the domain says so; a {@code type='block'} disk's
 * device is opened with {@code host_device}. Pure.
 */
final class StorageDaemonDisks {

    private StorageDaemonDisks() {
    }

    /**
     * @throws VirtBackupException {@code CONFIG_UNSUPPORTED} for a disk the offline driver cannot open yet
     */
    static List<QemuDisk> of(DomainDef domain) {
        List<QemuDisk> disks = new ArrayList<>();
        for (DomainDiskDef d : domain.disks()) {
            if (!d.isEmpty()) {
                disks.add(one(d));
            }
        }
        return List.copyOf(disks);
    }

    private static QemuDisk one(DomainDiskDef d) {
        String dev = d.targetDev();
        if (d.type() != DiskType.FILE && d.type() != DiskType.BLOCK) {
            throw unsupported("disk '" + dev + "' has type '" + d.type().name().toLowerCase(java.util.Locale.ROOT)
                    + "': the offline driver opens file and block disks only");
        }
        // libvirt does not probe formats: a disk without <driver type> is raw
        String type = d.driverType().orElse("raw");
        ImageFormat format;
        try {
            format = ImageFormat.fromDriver(type);
        } catch (IllegalArgumentException e) {
            throw unsupported("disk '" + dev + "' has format '" + type + "': the offline driver opens qcow2 and raw");
        }
        Path image = Path.of(d.sourcePath().orElseThrow());
        if (!image.isAbsolute()) {
            throw unsupported("disk '" + dev + "' has the relative source '" + image + "': give its absolute path");
        }
        try {
            return new QemuDisk(image, dev, format, d.readonly() || d.device() == DiskDevice.CDROM,
                    d.type() == DiskType.BLOCK);
        } catch (IllegalArgumentException e) {
            throw unsupported("disk '" + dev + "': " + e.getMessage());
        }
    }

    private static VirtBackupException unsupported(String message) {
        return new VirtBackupException(ErrorCode.CONFIG_UNSUPPORTED, ErrorDomain.QEMU, message);
    }
}
