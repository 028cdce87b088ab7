// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.nio.file.Path;
import java.util.List;

/** Backup XML of every disk of a {@link DiskSet}, full, without checkpoint. */
final class BackupXmls {

    private BackupXmls() {
    }

    /** A push of each disk to {@code <dir>/<disk>.qcow2}. */
    static String push(List<String> disks, Path dir) {
        StringBuilder b = new StringBuilder("<domainbackup mode='push'><disks>");
        for (String disk : disks) {
            b.append("<disk name='").append(disk).append("' type='file'><target file='")
                    .append(dir.resolve(disk + ".qcow2")).append("'/><driver type='qcow2'/></disk>");
        }
        return b.append("</disks></domainbackup>").toString();
    }

    /** A pull over unix socket {@code socket}, each disk's scratch in {@code <dir>/<disk>.scratch.qcow2}. */
    static String pull(List<String> disks, Path socket, Path dir) {
        StringBuilder b = new StringBuilder("<domainbackup mode='pull'><server transport='unix' socket='")
                .append(socket).append("'/><disks>");
        for (String disk : disks) {
            b.append("<disk name='").append(disk).append("' type='file'><scratch file='")
                    .append(dir.resolve(disk + ".scratch.qcow2")).append("'/></disk>");
        }
        return b.append("</disks></domainbackup>").toString();
    }
}
