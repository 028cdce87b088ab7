// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml;

import java.util.Objects;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.xml.internal.Limits;
import org.virtbackup.xml.internal.Schemas;
import org.virtbackup.xml.internal.SecureXml;

/**
 * Validates a document against virtbackup's own RELAX NG schema for its kind, after the hardened parse every
 * document goes through. The parse methods of {@link BackupXml}, {@link CheckpointXml} and {@link DomainXml}
 * do the same as part of parsing; this is for callers that only want a verdict ({@code virtbackup xml
 * validate}).
 *
 * @since 0.1
 */
public final class XmlValidator {
    private XmlValidator() {
    }

    /**
     * Validates {@code xml} as a document of {@code kind}.
     *
     * @throws VirtBackupException XML_DETAIL when the document is not well-formed; XML_ERROR when it has a
     *     DOCTYPE, is larger than 1 MiB, nests too deep or has the wrong root; XML_INVALID_SCHEMA when it violates
     *     the schema (the message names the element or attribute and the line)
     * @throws NullPointerException if an argument is null
     */
    public static void validate(XmlKind kind, String xml) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(xml, "xml");
        switch (kind) {
            case BACKUP -> SecureXml.parse(xml, Limits.backup(), Schemas.newValidatorHandler(Schemas.BACKUP));
            case CHECKPOINT -> SecureXml.parse(xml, Limits.checkpoint(),
                    Schemas.newValidatorHandler(Schemas.CHECKPOINT));
            case DOMAIN -> SecureXml.parse(xml, Limits.domain(), Schemas.newValidatorHandler(Schemas.DOMAIN));
        }
    }
}
