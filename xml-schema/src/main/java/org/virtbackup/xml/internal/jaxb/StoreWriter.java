// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal.jaxb;

import java.util.ArrayList;
import java.util.List;
import org.virtbackup.xml.model.EncryptionDef;
import org.virtbackup.xml.model.EncryptionSecretDef;
import org.virtbackup.xml.model.SeclabelDef;
import org.virtbackup.xml.model.StoreDef;
import org.virtbackup.xml.model.StoreType;

/**
 * Writes a store as {@code virDomainDiskSourceFormat} does: {@code file=}/{@code dev=}, seclabels
 * ({@code virSecurityDeviceLabelDefFormat}), encryption ({@code virStorageEncryptionFormat}).
 */
final class StoreWriter {
    private StoreWriter() {
    }

    /** The binding, or null when libvirt would print nothing (no attribute and no child). */
    static StoreBinding write(StoreDef store, StoreType type, boolean withPrivateData) {
        boolean empty = store.path().isEmpty() && store.seclabels().isEmpty() && store.encryption().isEmpty()
                && !(withPrivateData && store.privateData().isPresent());
        if (empty) {
            return null;
        }
        StoreBinding b = new StoreBinding();
        if (type == StoreType.BLOCK) {
            b.dev = store.path().orElse(null);
        } else {
            b.file = store.path().orElse(null);
        }
        if (!store.seclabels().isEmpty()) {
            b.seclabels = new ArrayList<>();
            for (SeclabelDef s : store.seclabels()) {
                b.seclabels.add(seclabel(s));
            }
        }
        b.encryption = store.encryption().map(StoreWriter::encryption).orElse(null);
        return b;
    }

    private static SeclabelBinding seclabel(SeclabelDef s) {
        SeclabelBinding b = new SeclabelBinding();
        b.model = s.model().orElse(null);
        if (s.labelskip()) {
            b.labelskip = "yes";
        } else {
            b.relabel = s.relabel() ? "yes" : "no";
        }
        b.labels = s.label().map(List::of).orElse(null);
        return b;
    }

    private static EncryptionBinding encryption(EncryptionDef e) {
        EncryptionBinding b = new EncryptionBinding();
        b.format = e.format();
        b.engine = e.engine().orElse(null);
        if (!e.secrets().isEmpty()) {
            b.secrets = new ArrayList<>();
            for (EncryptionSecretDef s : e.secrets()) {
                EncryptionBinding.Secret sb = new EncryptionBinding.Secret();
                sb.type = s.type();
                sb.uuid = s.uuid().orElse(null);
                sb.usage = s.usage().orElse(null);
                b.secrets.add(sb);
            }
        }
        b.cipher = e.cipher().map(c -> {
            EncryptionBinding.Cipher cb = new EncryptionBinding.Cipher();
            cb.name = c.name();
            cb.size = Long.toString(c.size());
            cb.mode = c.mode().orElse(null);
            cb.hash = c.hash().orElse(null);
            return cb;
        }).orElse(null);
        b.ivgen = e.ivgen().map(i -> {
            EncryptionBinding.Ivgen ib = new EncryptionBinding.Ivgen();
            ib.name = i.name();
            ib.hash = i.hash().orElse(null);
            return ib;
        }).orElse(null);
        return b;
    }
}
