// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code <encryption format='luks' [engine]>} of a backup target or scratch image (libvirt's
 * {@code backupEncryption}, libvirt-backup-reference.md §1.3).
 *
 * @param format encryption format; the backup schema allows only {@code luks}
 * @param engine {@code qemu} when given
 * @param secrets the passphrase secrets (the schema asks for exactly one)
 * @param cipher LUKS cipher, given together with {@code ivgen}
 * @param ivgen LUKS IV generator
 */
public record EncryptionDef(String format, Optional<String> engine, List<EncryptionSecretDef> secrets,
                            Optional<CipherDef> cipher, Optional<IvgenDef> ivgen) {
    public EncryptionDef {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(engine, "engine");
        secrets = List.copyOf(secrets);
        Objects.requireNonNull(cipher, "cipher");
        Objects.requireNonNull(ivgen, "ivgen");
    }
}
