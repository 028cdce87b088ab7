// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal;

import java.util.ArrayList;
import java.util.List;
import org.virtbackup.xml.model.DiskType;
import org.virtbackup.xml.model.DomainDiskDef;
import org.virtbackup.xml.model.XmlAttribute;
import org.virtbackup.xml.model.XmlNode;

/** The {@code <domain>} element libvirt would write for a name and disks: the inverse of {@link DomainReader}. */
public final class DomainNodes {

    private DomainNodes() {
    }

    /** {@code <domain type='kvm'><name>…</name><devices><disk …/>…</devices></domain>}. */
    public static XmlNode domain(String name, List<DomainDiskDef> disks) {
        List<XmlNode> devices = disks.stream().map(DomainNodes::disk).toList();
        return new XmlNode("domain", List.of(new XmlAttribute("type", "kvm")),
                List.of(text("name", name), element("devices", List.of(), devices)), "");
    }

    private static XmlNode disk(DomainDiskDef d) {
        List<XmlNode> children = new ArrayList<>();
        d.driverType().ifPresent(t -> children.add(element("driver",
                List.of(new XmlAttribute("name", "qemu"), new XmlAttribute("type", t)), List.of())));
        d.sourcePath().ifPresent(p -> children.add(element("source",
                List.of(new XmlAttribute(d.type() == DiskType.BLOCK ? "dev" : "file", p)), List.of())));
        List<XmlAttribute> target = new ArrayList<>(List.of(new XmlAttribute("dev", d.targetDev())));
        d.bus().ifPresent(b -> target.add(new XmlAttribute("bus", b)));
        children.add(element("target", target, List.of()));
        if (d.readonly()) {
            children.add(element("readonly", List.of(), List.of()));
        }
        d.alias().ifPresent(a -> children.add(element("alias", List.of(new XmlAttribute("name", a)), List.of())));
        return element("disk", List.of(new XmlAttribute("type", d.type().xmlValue()),
                new XmlAttribute("device", d.device().xmlValue())), children);
    }

    private static XmlNode element(String name, List<XmlAttribute> attributes, List<XmlNode> children) {
        return new XmlNode(name, attributes, children, "");
    }

    private static XmlNode text(String name, String text) {
        return new XmlNode(name, List.of(), List.of(), text);
    }
}
