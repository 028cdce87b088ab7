// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal.jaxb;

import jakarta.xml.bind.UnmarshallerHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.virtbackup.xml.internal.Limits;
import org.virtbackup.xml.internal.Schemas;
import org.virtbackup.xml.internal.SecureXml;
import org.virtbackup.xml.internal.SubtreeCapturer;
import org.virtbackup.xml.internal.TeeHandler;
import org.virtbackup.xml.model.BackupDef;
import org.xml.sax.ContentHandler;

/**
 * One pass from text to {@link BackupDef}: hardened SAX, then (public form) our schema, JAXB and private-data
 * capture side by side; and back to libvirt-style text.
 */
public final class BackupCodec {
    private static final Set<String> PRIVATE_DATA = Set.of("domainbackup/privateData",
            "domainbackup/disks/disk/target/privateData", "domainbackup/disks/disk/scratch/privateData");

    private BackupCodec() {
    }

    /** Parses the public form (validated) or the internal form (not validated, state and private data kept). */
    public static BackupDef parse(String xml, boolean internal) {
        UnmarshallerHandler jaxb = Jaxb.newUnmarshallerHandler();
        List<ContentHandler> chain = new ArrayList<>(3);
        if (!internal) {
            chain.add(Schemas.newValidatorHandler(Schemas.BACKUP));
        }
        chain.add(jaxb);
        SubtreeCapturer capture = new SubtreeCapturer(internal ? PRIVATE_DATA : Set.of());
        if (internal) {
            chain.add(capture);
        }
        SecureXml.parse(xml, Limits.backup(), new TeeHandler(chain));
        return BackupReader.read((BackupBinding) Jaxb.result(jaxb), internal, capture.captured());
    }

    /** Formats the public form ({@code internal == false}) or the internal form. */
    public static String format(BackupDef def, boolean internal) {
        return BackupWriter.format(def, internal);
    }
}
