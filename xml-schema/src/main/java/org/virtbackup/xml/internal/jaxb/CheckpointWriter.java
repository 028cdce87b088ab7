// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal.jaxb;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.virtbackup.xml.model.CheckpointDef;
import org.virtbackup.xml.model.CheckpointDiskDef;
import org.virtbackup.xml.model.XmlNode;

/**
 * libvirt's {@code virDomainCheckpointDefFormat} (libvirt-backup-reference.md §2.3): name, description, parent,
 * creationTime (whenever set), disks, then the embedded domain unless {@code noDomain}.
 *
 * <p>libvirt prints creationTime only when non-zero, because its definition cannot tell 0 from unset; ours
 * can, and a redefined checkpoint with {@code <creationTime>0</creationTime>} must survive the store's
 * format and re-parse (found by XmlFuzzTest; XmlFuzzRegressionTest).
 */
final class CheckpointWriter {
    private CheckpointWriter() {
    }

    static String format(CheckpointDef def, boolean secure, boolean noDomain, boolean withSize) {
        CheckpointBinding b = new CheckpointBinding();
        b.name = def.name().orElse(null);
        b.description = def.description().orElse(null);
        b.parent = def.parent().map(p -> {
            CheckpointBinding.Parent pb = new CheckpointBinding.Parent();
            pb.name = p;
            return pb;
        }).orElse(null);
        if (def.creationTime().isPresent()) {
            b.creationTime = Long.toString(def.creationTime().getAsLong());
        }
        if (!def.disks().isEmpty()) {
            b.disks = new ArrayList<>();
            for (CheckpointDiskDef d : def.disks()) {
                b.disks.add(disk(d, withSize));
            }
        }
        Map<String, XmlNode> injections = noDomain || def.domain().isEmpty() ? Map.of()
                : Map.of("domaincheckpoint[0]", secure(def.domain().get().definition().xml(), secure));
        return Jaxb.format(b, injections);
    }

    private static CheckpointBinding.Disk disk(CheckpointDiskDef d, boolean withSize) {
        CheckpointBinding.Disk b = new CheckpointBinding.Disk();
        b.name = d.name();
        b.checkpoint = d.checkpoint().xmlValue();
        b.bitmap = d.bitmap().orElse(null);
        // libvirt prints size only next to a bitmap, and only when it was computed
        if (withSize && d.bitmap().isPresent() && d.size().isPresent()) {
            b.size = Long.toString(d.size().getAsLong());
        }
        return b;
    }

    /**
     * Without the secure flag libvirt formats the domain without secrets; in a domain definition the only
     * inline secret is the {@code passwd} of {@code <graphics>} (the rest are references to secret objects).
     */
    private static XmlNode secure(XmlNode domain, boolean secure) {
        if (secure) {
            return domain;
        }
        List<XmlNode> children = new ArrayList<>();
        for (XmlNode c : domain.children()) {
            if (c.name().equals("devices")) {
                c = c.withChildren(c.children().stream()
                        .map(d -> d.name().equals("graphics") ? d.withoutAttribute("passwd") : d).toList());
            }
            children.add(c);
        }
        return domain.withChildren(children);
    }
}
