// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml;

import java.util.List;
import java.util.Objects;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.xml.internal.DomainCodec;
import org.virtbackup.xml.internal.DomainNodes;
import org.virtbackup.xml.internal.DomainReader;
import org.virtbackup.xml.model.DomainDef;
import org.virtbackup.xml.model.DomainDiskDef;

/**
 * A libvirt {@code <domain>} to the subset virtbackup needs ({@link DomainDef}): name, uuid and each
 * {@code <devices><disk type device>} with its driver type, source, target dev and bus, alias, read-only flag
 * and whether a backing store is described. Everything else is kept verbatim in {@link DomainDef#xml()} and
 * otherwise ignored, so a full {@code virsh dumpxml} output parses.
 *
 * @since 0.1
 */
public final class DomainXml {
    private DomainXml() {
    }

    /**
     * Parses a domain document.
     *
     * @throws VirtBackupException XML_DETAIL when not well-formed; XML_ERROR when refused or when a disk lacks a
     *     target;
     *     XML_INVALID_SCHEMA when it violates virtbackup's domain-subset schema (e.g. no name, a bad target)
     */
    public static DomainDef parse(String xml) {
        return DomainCodec.parse(Objects.requireNonNull(xml, "xml"));
    }

    /**
     * A domain with just these disks, described as libvirt would describe them: for a driver that learns the
     * disks from the hypervisor rather than from a caller's XML (checkpoints embed it). Read back through the
     * same reader as {@link #parse}.
     */
    public static DomainDef of(String name, List<DomainDiskDef> disks) {
        return DomainReader.read(DomainNodes.domain(Objects.requireNonNull(name, "name"), disks));
    }
}
