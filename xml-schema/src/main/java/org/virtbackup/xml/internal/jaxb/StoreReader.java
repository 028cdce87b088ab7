// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal.jaxb;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.xml.internal.Errors;
import org.virtbackup.xml.internal.Uuids;
import org.virtbackup.xml.model.CipherDef;
import org.virtbackup.xml.model.EncryptionDef;
import org.virtbackup.xml.model.EncryptionSecretDef;
import org.virtbackup.xml.model.IvgenDef;
import org.virtbackup.xml.model.SeclabelDef;
import org.virtbackup.xml.model.StoreDef;
import org.virtbackup.xml.model.StoreType;
import org.virtbackup.xml.model.XmlNode;

/**
 * Reads a {@code <target>}/{@code <scratch>} the way libvirt's {@code virDomainStorageSourceParse} does for a
 * local image: {@code file=} for type file, {@code dev=} for type block, then seclabels
 * ({@code virSecurityDeviceLabelDefParseXML}) and encryption ({@code virStorageEncryptionParseNode}).
 */
final class StoreReader {
    private static final ErrorDomain DOMAIN = ErrorDomain.DOMAIN;
    private static final Set<String> ENCRYPTION_FORMATS = Set.of("default", "qcow", "luks", "luks2", "luks-any");
    private static final Set<String> ENCRYPTION_ENGINES = Set.of("default", "qemu", "librbd");

    private StoreReader() {
    }

    static StoreDef read(StoreBinding b, StoreType type, Optional<XmlNode> privateData) {
        String path = type == StoreType.BLOCK ? b.dev : b.file;
        List<SeclabelDef> labels = new ArrayList<>();
        if (b.seclabels != null) {
            for (SeclabelBinding s : b.seclabels) {
                labels.add(seclabel(s));
            }
        }
        Optional<EncryptionDef> enc = Optional.ofNullable(b.encryption).map(StoreReader::encryption);
        return new StoreDef(Optional.ofNullable(path), labels, enc, privateData);
    }

    private static SeclabelDef seclabel(SeclabelBinding s) {
        boolean relabel = true;
        if (s.relabel != null) {
            relabel = switch (s.relabel) {
                case "yes" -> true;
                case "no" -> false;
                default -> throw Errors.xml(DOMAIN, "invalid security relabel value '" + s.relabel + "'");
            };
        }
        boolean labelskip = "yes".equals(s.labelskip);
        Optional<String> label = s.labels == null || s.labels.isEmpty() || s.labels.get(0).isEmpty()
                ? Optional.empty() : Optional.of(s.labels.get(0));
        if (label.isPresent() && !relabel) {
            throw Errors.xml(DOMAIN, "cannot specify a label if relabelling is turned off. model="
                    + (s.model == null ? "<null>" : s.model));
        }
        return new SeclabelDef(Optional.ofNullable(s.model), relabel, labelskip, label);
    }

    private static EncryptionDef encryption(EncryptionBinding e) {
        if (e.format == null || !ENCRYPTION_FORMATS.contains(e.format)) {
            throw Errors.xml(DOMAIN, "unknown volume encryption format type '" + e.format + "'");
        }
        if (e.engine != null && !ENCRYPTION_ENGINES.contains(e.engine)) {
            throw Errors.xml(DOMAIN, "unknown volume encryption engine '" + e.engine + "'");
        }
        Optional<String> engine = Optional.ofNullable(e.engine).filter(v -> !v.equals("default"));
        List<EncryptionSecretDef> secrets = new ArrayList<>();
        if (e.secrets != null) {
            for (EncryptionBinding.Secret s : e.secrets) {
                secrets.add(secret(s));
            }
        }
        Optional<CipherDef> cipher = Optional.ofNullable(e.cipher).map(StoreReader::cipher);
        Optional<IvgenDef> ivgen = Optional.ofNullable(e.ivgen).map(i -> {
            if (i.name == null) {
                throw Errors.xml(DOMAIN, "missing ivgen name");
            }
            return new IvgenDef(i.name, Optional.ofNullable(i.hash));
        });
        return new EncryptionDef(e.format, engine, secrets, cipher, ivgen);
    }

    private static EncryptionSecretDef secret(EncryptionBinding.Secret s) {
        if (!"passphrase".equals(s.type)) {
            throw Errors.xml(DOMAIN, "unknown volume encryption secret type '" + s.type + "'");
        }
        if ((s.uuid == null) == (s.usage == null)) {
            throw Errors.xml(DOMAIN, "exactly one of 'uuid' and 'usage' must be given for an encryption secret");
        }
        Optional<String> uuid = Optional.ofNullable(s.uuid).map(u -> Uuids.canonical(u).orElseThrow(
                () -> Errors.xml(DOMAIN, "malformed secret uuid '" + u + "'")));
        return new EncryptionSecretDef(s.type, uuid, Optional.ofNullable(s.usage));
    }

    private static CipherDef cipher(EncryptionBinding.Cipher c) {
        if (c.name == null) {
            throw Errors.xml(DOMAIN, "cipher info missing 'name' attribute");
        }
        long size;
        try {
            size = Long.parseLong(c.size == null ? "" : c.size);
        } catch (NumberFormatException ex) {
            size = -1;
        }
        if (size < 0 || size > 0xFFFF_FFFFL) {
            throw Errors.xml(DOMAIN, "cannot parse cipher size: '" + c.size + "'");
        }
        return new CipherDef(c.name, size, Optional.ofNullable(c.mode), Optional.ofNullable(c.hash));
    }
}
