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
     * disks are named (without it every disk takes part, libvirt's rule). Scratch files go to {@code scratch} as
     * {@code <disk>.<suffix>.scratch.qcow2}, else to the driver's default place.
     */
    static String pull(Optional<String> incremental, Path socket, List<String> disks, Optional<Path> scratch,
                       String suffix) {
        StringBuilder xml = new StringBuilder("<domainbackup mode='pull'>");
        incremental.ifPresent(cp -> xml.append("<incremental>").append(escape(cp)).append("</incremental>"));
        xml.append("<server transport='unix' socket='").append(escape(socket.toString())).append("'/>");
        if (!disks.isEmpty()) {
            xml.append("<disks>");
            for (String d : disks) {
                xml.append("<disk name='").append(escape(d)).append("' backup='yes' type='file'>");
                scratch.ifPresent(dir -> xml.append("<scratch file='")
                        .append(escape(dir.resolve(d + "." + suffix + ".scratch.qcow2").toString())).append("'/>"));
                xml.append("</disk>");
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
