// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.model;

import java.util.Objects;
import java.util.Optional;

/**
 * {@code <secret type='passphrase' uuid=...|usage=.../>} inside {@code <encryption>}.
 *
 * @param type secret type, {@code passphrase}
 * @param uuid secret UUID in libvirt's canonical lowercase form, or empty
 * @param usage secret usage name, or empty; exactly one of uuid and usage is present
 */
public record EncryptionSecretDef(String type, Optional<String> uuid, Optional<String> usage) {
    public EncryptionSecretDef {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(usage, "usage");
        if (uuid.isPresent() == usage.isPresent()) {
            throw new IllegalArgumentException("exactly one of uuid and usage must be set");
        }
    }
}
