// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.model;

import java.util.Objects;

/**
 * The {@code <domain>} stored inside a checkpoint: the domain definition at checkpoint time. Its subtree
 * ({@link DomainDef#xml()}) is re-emitted verbatim, one level deeper, when the checkpoint is formatted.
 *
 * @param definition the parsed domain, with its verbatim subtree
 */
public record EmbeddedDomain(DomainDef definition) {
    public EmbeddedDomain {
        Objects.requireNonNull(definition, "definition");
    }
}
