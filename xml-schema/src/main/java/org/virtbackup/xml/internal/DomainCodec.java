// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal;

import java.util.List;
import org.virtbackup.xml.model.DomainDef;

/** Text to {@link DomainDef}: hardened SAX, our domain-subset schema and an order-preserving tree, in one pass. */
public final class DomainCodec {
    private DomainCodec() {
    }

    /** Parses and validates a {@code <domain>} document. */
    public static DomainDef parse(String xml) {
        TreeBuilder tree = new TreeBuilder();
        SecureXml.parse(xml, Limits.domain(),
                new TeeHandler(List.of(Schemas.newValidatorHandler(Schemas.DOMAIN), tree)));
        return DomainReader.read(tree.root().orElseThrow());
    }
}
