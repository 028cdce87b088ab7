// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal.jaxb;

import jakarta.xml.bind.UnmarshallerHandler;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.virtbackup.xml.internal.Limits;
import org.virtbackup.xml.internal.Schemas;
import org.virtbackup.xml.internal.SecureXml;
import org.virtbackup.xml.internal.SubtreeCapturer;
import org.virtbackup.xml.internal.TeeHandler;
import org.virtbackup.xml.model.CheckpointDef;

/**
 * Text to {@link CheckpointDef} and back. Checkpoint XML is always validated: libvirt validates it on create,
 * on redefine and when loading its metadata files (libvirt-backup-reference.md §2.5).
 */
public final class CheckpointCodec {
    private CheckpointCodec() {
    }

    /** Parses with create ({@code redefine == false}) or redefine semantics. */
    public static CheckpointDef parse(String xml, boolean redefine) {
        return parse(xml, b -> redefine);
    }

    /** Parses with redefine semantics when the document has a {@code <creationTime>}, else with create's. */
    public static CheckpointDef parseRecognizing(String xml) {
        return parse(xml, b -> b.creationTime != null);
    }

    private static CheckpointDef parse(String xml, Predicate<CheckpointBinding> redefine) {
        UnmarshallerHandler jaxb = Jaxb.newUnmarshallerHandler();
        SubtreeCapturer capture = new SubtreeCapturer(Set.of("domaincheckpoint/domain"));
        SecureXml.parse(xml, Limits.checkpoint(),
                new TeeHandler(List.of(Schemas.newValidatorHandler(Schemas.CHECKPOINT), jaxb, capture)));
        CheckpointBinding b = (CheckpointBinding) Jaxb.result(jaxb);
        return CheckpointReader.read(b, redefine.test(b),
                Optional.ofNullable(capture.captured().get("domaincheckpoint[0]/domain[0]")));
    }

    /** Formats as {@code virDomainCheckpointGetXMLDesc} with the SECURE, NO_DOMAIN and SIZE flags. */
    public static String format(CheckpointDef def, boolean secure, boolean noDomain, boolean withSize) {
        return CheckpointWriter.format(def, secure, noDomain, withSize);
    }
}
