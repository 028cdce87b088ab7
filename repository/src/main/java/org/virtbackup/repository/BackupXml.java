// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The libvirt XML documents {@code repo backup} hands to {@code Domain.backupStart}. Pure. */
final class BackupXml {
    private BackupXml() {
    }

    /**
     * A pull backup over a unix socket: {@code <incremental>} for an incremental, and {@code <disks>} only when
     * disks are named (without it every disk takes part, libvirt's rule). Scratch files take the driver's
     * default place.
     */
    static String pull(Optional<String> incremental, Path socket, List<String> disks) {
        StringBuilder xml = new StringBuilder("<domainbackup mode='pull'>");
        incremental.ifPresent(cp -> xml.append("<incremental>").append(escape(cp)).append("</incremental>"));
        xml.append("<server transport='unix' socket='").append(escape(socket.toString())).append("'/>");
        if (!disks.isEmpty()) {
            xml.append("<disks>");
            for (String d : disks) {
                xml.append("<disk name='").append(escape(d)).append("' backup='yes' type='file'/>");
            }
            xml.append("</disks>");
        }
        return xml.append("</domainbackup>").toString();
    }

    /** A new checkpoint named {@code name}, of every disk. */
    static String checkpoint(String name) {
        return "<domaincheckpoint><name>" + escape(name) + "</name></domaincheckpoint>";
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;")
                .replace("\"", "&quot;");
    }
}
