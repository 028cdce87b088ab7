// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml;

import java.util.Objects;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.xml.internal.jaxb.CheckpointCodec;
import org.virtbackup.xml.model.CheckpointDef;

/**
 * {@code <domaincheckpoint>} text to {@link CheckpointDef} and back (libvirt-backup-reference.md §2). Every
 * document is validated against virtbackup's checkpoint schema, as libvirt always validates checkpoint XML.
 *
 * @since 0.1
 */
public final class CheckpointXml {
    private CheckpointXml() {
    }

    /**
     * Parses for creation ({@code virDomainCheckpointCreateXML} without REDEFINE): name, description and disks
     * are read; {@code creationTime}, {@code parent} and {@code <domain>} are ignored, as libvirt sets them.
     * The driver then calls {@link #postParse} and {@link CheckpointAligner#align}.
     *
     * @throws VirtBackupException XML_DETAIL (not well-formed), XML_ERROR, XML_INVALID_SCHEMA (including names
     *     libvirt refuses)
     */
    public static CheckpointDef parse(String xml) {
        return CheckpointCodec.parse(Objects.requireNonNull(xml, "xml"), false);
    }

    /**
     * Parses for REDEFINE (§2.4): name and creationTime are mandatory, parent and the embedded domain (optional
     * since libvirt 7.0) are honoured. Align with {@link CheckpointAligner#alignRedefine}.
     *
     * @throws VirtBackupException XML_ERROR "a redefined checkpoint must have a name", INTERNAL_ERROR
     *     "missing creationTime from existing checkpoint", XML_INVALID_SCHEMA, XML_ERROR for a bad domain
     */
    public static CheckpointDef parseRedefine(String xml) {
        return CheckpointCodec.parse(Objects.requireNonNull(xml, "xml"), true);
    }

    /**
     * Parses a document in the form it is given, as a tool that formats or validates a file without knowing
     * what it is for must: a document with a {@code <creationTime>} is the form {@code virDomainCheckpointGetXMLDesc}
     * prints and REDEFINE takes back, and is parsed as {@link #parseRedefine} does (creation time, parent and the
     * embedded domain kept); any other as {@link #parse} does. libvirt's own creation ignores a creation time, so
     * nothing a creation would keep is lost either way.
     *
     * @throws VirtBackupException as {@link #parse} or {@link #parseRedefine}
     */
    public static CheckpointDef parseRecognizing(String xml) {
        return CheckpointCodec.parseRecognizing(Objects.requireNonNull(xml, "xml"));
    }

    /**
     * libvirt's {@code virDomainMomentDefPostParse} for a new checkpoint: the creation time becomes
     * {@code nowEpochSeconds} and an unnamed checkpoint is named after it.
     */
    public static CheckpointDef postParse(CheckpointDef def, long nowEpochSeconds) {
        Objects.requireNonNull(def, "def");
        CheckpointDef timed = def.withCreationTime(nowEpochSeconds);
        return def.name().isPresent() ? timed : timed.withName(Long.toString(nowEpochSeconds));
    }

    /**
     * Formats as {@code virDomainCheckpointGetXMLDesc} does.
     *
     * @param secure keep secrets in the embedded domain (graphics passwords); libvirt's XML_SECURE
     * @param noDomain leave out the embedded domain; XML_NO_DOMAIN
     * @param withSize print per-disk {@code size} where known; XML_SIZE
     */
    public static String format(CheckpointDef def, boolean secure, boolean noDomain, boolean withSize) {
        return CheckpointCodec.format(Objects.requireNonNull(def, "def"), secure, noDomain, withSize);
    }
}
