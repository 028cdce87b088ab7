// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal.jaxb;

import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;
import java.util.List;

/** {@code <encryption format engine>} with secret, cipher and ivgen ({@code virStorageEncryptionFormat}). */
@XmlType(name = "storeEncryption", propOrder = {"secrets", "cipher", "ivgen"})
final class EncryptionBinding {
    @XmlAttribute
    String format;
    @XmlAttribute
    String engine;
    @XmlElement(name = "secret")
    List<Secret> secrets;
    @XmlElement
    Cipher cipher;
    @XmlElement
    Ivgen ivgen;

    /** {@code <secret type uuid|usage/>}. */
    @XmlType(name = "encryptionSecret")
    static final class Secret {
        @XmlAttribute
        String type;
        @XmlAttribute
        String uuid;
        @XmlAttribute
        String usage;
    }

    /** {@code <cipher name size mode hash/>}. */
    @XmlType(name = "encryptionCipher")
    static final class Cipher {
        @XmlAttribute
        String name;
        @XmlAttribute
        String size;
        @XmlAttribute
        String mode;
        @XmlAttribute
        String hash;
    }

    /** {@code <ivgen name hash/>}. */
    @XmlType(name = "encryptionIvgen")
    static final class Ivgen {
        @XmlAttribute
        String name;
        @XmlAttribute
        String hash;
    }
}
