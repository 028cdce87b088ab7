// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.xml.model.DiskDevice;
import org.virtbackup.xml.model.DiskType;
import org.virtbackup.xml.model.DomainDef;
import org.virtbackup.xml.model.DomainDiskDef;
import org.virtbackup.xml.model.XmlNode;

/**
 * Reads the {@code <domain>} subset from a verbatim tree: name, uuid and {@code devices/disk}. Everything else
 * is left in the tree untouched, so a full libvirt domain XML reads fine.
 */
public final class DomainReader {
    private static final ErrorDomain DOMAIN = ErrorDomain.DOMAIN;

    private DomainReader() {
    }

    /** The domain definition of {@code domain}, which must be a {@code <domain>} element. */
    public static DomainDef read(XmlNode domain) {
        String name = domain.child("name").map(XmlNode::text).filter(s -> !s.isEmpty())
                .orElseThrow(() -> Errors.xml(DOMAIN, "missing name in domain XML"));
        Optional<String> uuid = domain.child("uuid").map(XmlNode::text).map(u -> Uuids.canonical(u)
                .orElseThrow(() -> Errors.xml(DOMAIN, "malformed uuid element '" + u + "'")));
        List<DomainDiskDef> disks = new ArrayList<>();
        for (XmlNode devices : domain.childrenNamed("devices")) {
            for (XmlNode disk : devices.childrenNamed("disk")) {
                disks.add(disk(disk));
            }
        }
        return new DomainDef(name, uuid, disks, domain);
    }

    private static DomainDiskDef disk(XmlNode disk) {
        DiskType type = disk.attribute("type").map(t -> DiskType.fromXml(t)
                .orElseThrow(() -> Errors.xml(DOMAIN, "unknown disk type '" + t + "'"))).orElse(DiskType.FILE);
        DiskDevice device = disk.attribute("device").map(d -> DiskDevice.fromXml(d)
                .orElseThrow(() -> Errors.xml(DOMAIN, "unknown disk device '" + d + "'"))).orElse(DiskDevice.DISK);
        XmlNode target = disk.child("target").orElseThrow(() -> Errors.xml(DOMAIN,
                "missing target information for disk" + disk.child("source").flatMap(DomainReader::anyPath)
                        .map(p -> " '" + p + "'").orElse("")));
        String dev = target.attribute("dev").orElseThrow(() -> Errors.xml(DOMAIN, "missing target dev of disk"));
        Optional<String> driverType = disk.child("driver").flatMap(d -> d.attribute("type"));
        Optional<String> source = disk.child("source").flatMap(s -> sourcePath(type, s));
        Optional<String> alias = disk.child("alias").flatMap(a -> a.attribute("name"));
        // libvirt treats CD-ROM media as read-only whether or not <readonly/> is written
        boolean readonly = disk.child("readonly").isPresent() || device == DiskDevice.CDROM;
        // an empty <backingStore/> states "no backing image"; one with content describes a backing layer
        boolean backing = disk.child("backingStore")
                .filter(b -> !b.children().isEmpty() || !b.attributes().isEmpty()).isPresent();
        return new DomainDiskDef(type, device, driverType, source, dev, target.attribute("bus"), alias, readonly,
                backing);
    }

    /** What libvirt keeps in {@code src->path} for each source type (see {@link DomainDiskDef#sourcePath()}). */
    private static Optional<String> sourcePath(DiskType type, XmlNode source) {
        return switch (type) {
            case FILE -> source.attribute("file");
            case BLOCK -> source.attribute("dev");
            case DIR -> source.attribute("dir");
            case NETWORK -> source.attribute("name").or(() -> source.attribute("protocol"));
            case VOLUME -> source.attribute("pool").flatMap(p -> source.attribute("volume").map(v -> p + "/" + v));
            case VHOSTUSER -> source.attribute("path");
            case NVME -> Optional.of("nvme:" + source.attribute("namespace").orElse("1"));
        };
    }

    private static Optional<String> anyPath(XmlNode source) {
        return source.attribute("file").or(() -> source.attribute("dev")).or(() -> source.attribute("name"));
    }
}
