// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal.jaxb;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.xml.internal.DomainReader;
import org.virtbackup.xml.internal.Errors;
import org.virtbackup.xml.model.CheckpointDef;
import org.virtbackup.xml.model.CheckpointDiskDef;
import org.virtbackup.xml.model.CheckpointType;
import org.virtbackup.xml.model.EmbeddedDomain;
import org.virtbackup.xml.model.XmlNode;

/**
 * libvirt's {@code virDomainCheckpointDefParse} (libvirt-backup-reference.md §2.1, §2.4): on create only name,
 * description and disks are read (creation time, parent and domain are the driver's to set); on redefine
 * name and creation time are required and parent and domain are honoured. Disk {@code size} is output-only.
 */
final class CheckpointReader {
    private static final ErrorDomain DOMAIN = ErrorDomain.DOMAIN_CHECKPOINT;

    private CheckpointReader() {
    }

    static CheckpointDef read(CheckpointBinding b, boolean redefine, Optional<XmlNode> domain) {
        Optional<String> name = nonEmpty(b.name);
        if (redefine && name.isEmpty()) {
            throw Errors.xml(DOMAIN, "a redefined checkpoint must have a name");
        }
        Optional<String> description = nonEmpty(b.description);
        OptionalLong creationTime = OptionalLong.empty();
        Optional<String> parent = Optional.empty();
        Optional<EmbeddedDomain> embedded = Optional.empty();
        if (redefine) {
            creationTime = OptionalLong.of(creationTime(b.creationTime));
            parent = Optional.ofNullable(b.parent).flatMap(p -> nonEmpty(p.name));
            embedded = domain.map(d -> new EmbeddedDomain(DomainReader.read(d)));
        }
        List<CheckpointDiskDef> disks = new ArrayList<>();
        if (b.disks != null) {
            for (CheckpointBinding.Disk d : b.disks) {
                disks.add(disk(d));
            }
        }
        return new CheckpointDef(name, description, parent, creationTime, disks, embedded);
    }

    private static long creationTime(String text) {
        try {
            return Long.parseLong(text == null ? "" : text.strip());
        } catch (NumberFormatException e) {
            // libvirt reports a missing and an unparsable creationTime alike
            throw Errors.of(ErrorCode.INTERNAL_ERROR, DOMAIN, "missing creationTime from existing checkpoint");
        }
    }

    private static CheckpointDiskDef disk(CheckpointBinding.Disk d) {
        if (d.name == null) {
            throw Errors.xml(DOMAIN, "missing name from disk checkpoint element");
        }
        CheckpointType type = CheckpointType.BITMAP;
        if (d.checkpoint != null) {
            type = CheckpointType.fromXml(d.checkpoint).orElseThrow(() -> Errors.xml(DOMAIN,
                    "unknown disk checkpoint setting '" + d.checkpoint + "'"));
        }
        return new CheckpointDiskDef(d.name, type, Optional.ofNullable(d.bitmap), OptionalLong.empty());
    }

    /** libvirt's {@code virXPathString} returns NULL for an empty string. */
    private static Optional<String> nonEmpty(String s) {
        return Optional.ofNullable(s).filter(v -> !v.isEmpty());
    }
}
