// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.model;

import java.util.Objects;
import java.util.Optional;

/**
 * LUKS {@code <ivgen name [hash]/>}.
 *
 * @param name IV generator, e.g. {@code plain64}
 * @param hash hash algorithm
 */
public record IvgenDef(String name, Optional<String> hash) {
    public IvgenDef {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(hash, "hash");
    }
}
