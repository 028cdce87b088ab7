// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.model;

import java.util.Objects;
import java.util.Optional;

/**
 * LUKS {@code <cipher name size [mode hash]/>}.
 *
 * @param name cipher name, e.g. {@code aes}
 * @param size key size in bits
 * @param mode cipher mode, e.g. {@code xts}
 * @param hash hash algorithm for the mode
 */
public record CipherDef(String name, long size, Optional<String> mode, Optional<String> hash) {
    public CipherDef {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(hash, "hash");
    }
}
