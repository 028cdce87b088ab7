// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The subset of a libvirt {@code <domain>} that virtbackup needs, plus the whole element verbatim so it can be
 * embedded in checkpoints.
 *
 * @param name domain name
 * @param uuid domain UUID as written
 * @param disks the disks in document order
 * @param xml the complete {@code <domain>} element, attribute order preserved
 */
public record DomainDef(String name, Optional<String> uuid, List<DomainDiskDef> disks, XmlNode xml) {
    public DomainDef {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(uuid, "uuid");
        disks = List.copyOf(disks);
        Objects.requireNonNull(xml, "xml");
    }

    /** The disk whose target is {@code target} ({@code virDomainDiskByTarget}). */
    public Optional<DomainDiskDef> diskByTarget(String target) {
        return disks.stream().filter(d -> d.targetDev().equals(target)).findFirst();
    }

    /**
     * The disk called {@code nameOrPath} as libvirt's {@code virDomainDiskByName(def, name, false)} finds it: a
     * name without a leading slash is a target; otherwise the unique disk with that source path (ambiguous paths
     * match nothing).
     */
    public Optional<DomainDiskDef> diskByName(String nameOrPath) {
        if (!nameOrPath.startsWith("/")) {
            return diskByTarget(nameOrPath);
        }
        List<DomainDiskDef> hits = disks.stream()
                .filter(d -> d.sourcePath().filter(nameOrPath::equals).isPresent()).toList();
        return hits.size() == 1 ? Optional.of(hits.get(0)) : Optional.empty();
    }
}
