// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The image a disk is backed up into: {@code <target>} in push mode, {@code <scratch>} in pull mode. Whether
 * the path is printed as {@code file=} or {@code dev=} follows {@link BackupDiskDef#storeType()}.
 *
 * @param path absolute path; empty when the element had none (alignment then generates one)
 * @param seclabels per-image security labels, in document order
 * @param encryption LUKS encryption of the image
 * @param privateData internal form only: libvirt's {@code <privateData>} (node names), kept verbatim
 */
public record StoreDef(Optional<String> path, List<SeclabelDef> seclabels, Optional<EncryptionDef> encryption,
                       Optional<XmlNode> privateData) {
    public StoreDef {
        Objects.requireNonNull(path, "path");
        seclabels = List.copyOf(seclabels);
        Objects.requireNonNull(encryption, "encryption");
        Objects.requireNonNull(privateData, "privateData");
    }

    /** A plain store at {@code path}, no labels, no encryption. */
    public static StoreDef of(String path) {
        return new StoreDef(Optional.of(path), List.of(), Optional.empty(), Optional.empty());
    }

    /** A copy with another path. */
    public StoreDef withPath(String newPath) {
        return new StoreDef(Optional.of(newPath), seclabels, encryption, privateData);
    }
}
