// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml;

import java.util.Objects;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.xml.internal.DomainCodec;
import org.virtbackup.xml.model.DomainDef;

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
     * @throws VirtBackupException XML_ERROR when malformed or refused, or when a disk lacks a target;
     *     XML_INVALID_SCHEMA when it violates virtbackup's domain-subset schema (e.g. no name, a bad target)
     */
    public static DomainDef parse(String xml) {
        return DomainCodec.parse(Objects.requireNonNull(xml, "xml"));
    }
}
