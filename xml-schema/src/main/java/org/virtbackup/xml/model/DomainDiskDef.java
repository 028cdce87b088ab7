// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.model;

import java.util.Objects;
import java.util.Optional;

/**
 * A {@code <disk>} of a domain, the subset backup and checkpoint alignment need.
 *
 * @param type {@code type} attribute, default file
 * @param device {@code device} attribute, default disk
 * @param driverType image format from {@code <driver type>}
 * @param sourcePath what libvirt keeps as the source path: {@code file=} (file), {@code dev=} (block),
 *     {@code dir=} (dir), {@code name=} (network), {@code pool/volume} (volume); empty when there is no
 *     {@code <source>} (no media)
 * @param targetDev {@code <target dev>}, the disk's name in backup and checkpoint XML
 * @param bus {@code <target bus>}
 * @param alias {@code <alias name>}, the QEMU device id without libvirt's {@code ua-} handling
 * @param readonly {@code <readonly/>} present, or a CD-ROM (whose media libvirt treats as read-only)
 * @param hasBackingStore a {@code <backingStore>} with content is present (an empty one means "no backing")
 */
public record DomainDiskDef(DiskType type, DiskDevice device, Optional<String> driverType,
                            Optional<String> sourcePath, String targetDev, Optional<String> bus,
                            Optional<String> alias, boolean readonly, boolean hasBackingStore) {
    public DomainDiskDef {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(driverType, "driverType");
        Objects.requireNonNull(sourcePath, "sourcePath");
        Objects.requireNonNull(targetDev, "targetDev");
        Objects.requireNonNull(bus, "bus");
        Objects.requireNonNull(alias, "alias");
    }

    /** A disk without bus information. */
    public DomainDiskDef(DiskType type, DiskDevice device, Optional<String> driverType, Optional<String> sourcePath,
                         String targetDev, Optional<String> alias, boolean readonly, boolean hasBackingStore) {
        this(type, device, driverType, sourcePath, targetDev, Optional.empty(), alias, readonly, hasBackingStore);
    }

    /** A writable qcow2 file disk, the shape libvirt's own xml2xml tests fake. */
    public static DomainDiskDef qcow2File(String targetDev, String path) {
        return new DomainDiskDef(DiskType.FILE, DiskDevice.DISK, Optional.of("qcow2"), Optional.of(path), targetDev,
                Optional.empty(), false, false);
    }

    /** True when there is no media ({@code virStorageSourceIsEmpty}): no source at all. */
    public boolean isEmpty() {
        return sourcePath.isEmpty();
    }
}
