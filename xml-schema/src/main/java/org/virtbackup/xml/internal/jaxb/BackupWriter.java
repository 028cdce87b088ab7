// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal.jaxb;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import org.virtbackup.api.BackupMode;
import org.virtbackup.xml.internal.PathTracker;
import org.virtbackup.xml.model.BackupDef;
import org.virtbackup.xml.model.BackupDiskDef;
import org.virtbackup.xml.model.ServerDef;
import org.virtbackup.xml.model.XmlNode;

/**
 * libvirt's {@code virDomainBackupDefFormat}: {@code mode} always, then incremental, server, disks and (internal
 * form only) private data; a {@code backup='no'} disk prints only its name (libvirt-backup-reference.md §1.5).
 */
final class BackupWriter {
    private final boolean internal;
    private final Map<String, XmlNode> injections = new HashMap<>();

    private BackupWriter(boolean internal) {
        this.internal = internal;
    }

    /** The formatted document; {@code internal} adds {@code state} and the private data. */
    static String format(BackupDef def, boolean internal) {
        BackupWriter w = new BackupWriter(internal);
        BackupBinding b = w.binding(def);
        return Jaxb.format(b, w.injections);
    }

    private BackupBinding binding(BackupDef def) {
        boolean push = def.mode() == BackupMode.PUSH;
        BackupBinding b = new BackupBinding();
        b.mode = push ? "push" : "pull";
        b.incremental = def.incremental().orElse(null);
        b.server = def.server().map(BackupWriter::server).orElse(null);
        if (!def.disks().isEmpty()) {
            b.disks = new ArrayList<>();
            for (int i = 0; i < def.disks().size(); i++) {
                b.disks.add(disk(def.disks().get(i), push, PathTracker.disk("domainbackup", i)));
            }
        }
        if (internal) {
            def.privateData().ifPresent(p -> injections.put("domainbackup[0]", p));
        }
        return b;
    }

    private static ServerBinding server(ServerDef s) {
        ServerBinding b = new ServerBinding();
        b.transport = s.transport().xmlValue();
        b.tls = s.tls().map(t -> t ? "yes" : "no").orElse(null);
        b.name = s.name().orElse(null);
        b.port = s.port().isPresent() ? Integer.toString(s.port().getAsInt()) : null;
        b.socket = s.socket().orElse(null);
        b.fdgroup = s.fdgroup().orElse(null);
        return b;
    }

    private BackupDiskBinding disk(BackupDiskDef d, boolean push, String path) {
        BackupDiskBinding b = new BackupDiskBinding();
        b.name = d.name();
        b.backup = d.backup() ? "yes" : "no";
        if (!d.backup()) {
            return b;
        }
        b.type = d.storeType().xmlValue();
        b.backupmode = d.backupMode().map(m -> m.xmlValue()).orElse(null);
        b.incremental = d.incremental().orElse(null);
        b.exportname = d.exportName().orElse(null);
        b.exportbitmap = d.exportBitmap().orElse(null);
        b.index = d.index().isPresent() ? Integer.toString(d.index().getAsInt()) : null;
        if (internal) {
            b.state = d.state().map(s -> s.xmlValue()).orElse(null);
        }
        b.driver = d.driverType().map(DriverBinding::new).orElse(null);
        StoreBinding store = d.store().map(s -> StoreWriter.write(s, d.storeType(), internal)).orElse(null);
        if (push) {
            b.target = store;
        } else {
            b.scratch = store;
        }
        if (internal && store != null) {
            d.store().flatMap(s -> s.privateData()).ifPresent(
                    p -> injections.put(path + (push ? "/target[0]" : "/scratch[0]"), p));
        }
        return b;
    }
}
