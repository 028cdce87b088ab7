// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Random;

/**
 * How a user restores a chain of backups into one raw image per disk, for the reliability tests: a push target
 * is laid over the previous restore and flattened; a pull is read from its export, whole or by the dirty map
 * over the previous restore. Also the seeded random guest I/O that makes the chain worth checking.
 */
final class Restores {

    private static final long ALIGN = 4096;

    private Restores() {
    }

    /**
     * The restore of a push target: a full target flattened to raw, an incremental one rebased (unsafe, as its
     * contents are the clusters changed since {@code previous}) over {@code previous} and flattened. Replaces
     * {@code restore} and deletes the target.
     */
    static void applyPush(Path target, Path previous, Path restore) throws Exception {
        if (previous != null) {
            NbdClients.run(List.of("qemu-img", "rebase", "-u", "-b", previous.toString(), "-F", "raw", "-f", "qcow2",
                    target.toString())).ok();
        }
        Path next = restore.resolveSibling(restore.getFileName() + ".next");
        NbdClients.run(List.of("qemu-img", "convert", "-f", "qcow2", "-O", "raw", target.toString(),
                next.toString())).ok();
        Files.move(next, restore, StandardCopyOption.REPLACE_EXISTING);
        Files.delete(target);
    }

    /**
     * The restore of a pull export: the whole export for a full backup, else every dirty extent of
     * {@code backup-<disk>} written over {@code restore} (which holds the previous point in time).
     *
     * @return the bytes read
     */
    static long applyPull(Path socket, String disk, boolean full, Path restore, Path tmp) throws Exception {
        String uri = "nbd+unix:///" + disk + "?socket=" + socket;
        if (full) {
            NbdClients.nbdcopy(uri, restore).ok();
            return Files.size(restore);
        }
        long bytes = 0;
        for (NbdClients.Extent e : NbdClients.dirty(uri, "backup-" + disk)) {
            NbdClients.applyExtent("server.type=unix,server.path=" + socket, disk, e.offset(), e.length(), restore, tmp);
            bytes += e.length();
        }
        return bytes;
    }

    /** 0–3 seeded writes, zero writes or discards at random aligned places of {@code disk}; returns how many. */
    static int randomIo(DomainFixture f, Random r, String disk, long size) {
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            long len = ALIGN * (1 + r.nextInt(256)); // 4 KiB to 1 MiB
            long off = ALIGN * r.nextInt((int) ((size - len) / ALIGN) + 1);
            int kind = r.nextInt(10);
            if (kind < 7) {
                f.qemu.guestWrite(disk, off, len, 1 + r.nextInt(255));
            } else if (kind < 9) {
                f.qemu.guestWriteZeroes(disk, off, len);
            } else {
                f.qemu.guestDiscard(disk, off, len);
            }
        }
        return n;
    }
}
