// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.virtbackup.nbd.Extent;
import org.virtbackup.nbd.MetaContext;
import org.virtbackup.nbd.NbdBuffer;
import org.virtbackup.nbd.NbdConnection;
import org.virtbackup.nbd.QemuNbdServer;

/**
 * SHA-256 of a disk's whole content at a point: every byte of its virtual size, in order, read through the
 * qcow2 chain by a read-only {@code qemu-nbd} (QEMU resolves the relative backing files). Ranges the server
 * reports as zeroes are hashed as zeroes without being read. The same definition as {@code sha256sum} of the
 * disk's raw image, so a restore can be checked with standard tools.
 */
final class ContentDigest {
    private static final int CHUNK = 4 << 20;
    private static final byte[] ZEROES = new byte[CHUNK];

    private ContentDigest() {
    }

    /** The digest of {@code image}'s content, in lowercase hex; {@code socketDir} is a private directory. */
    static String of(Path image, Path socketDir) {
        MessageDigest sha = sha256();
        try (QemuNbdServer server = QemuNbdServer.readOnly(image, "qcow2", socketDir.resolve("digest.sock"), 1);
                NbdConnection c = NbdConnection.open(server.uri(), List.of(MetaContext.BASE_ALLOCATION));
                NbdBuffer buf = new NbdBuffer(CHUNK)) {
            long size = c.size();
            for (Extent e : c.extents(MetaContext.BASE_ALLOCATION, 0, size)) {
                for (long pos = e.offset(); pos < e.end(); pos += CHUNK) {
                    int n = (int) Math.min(CHUNK, e.end() - pos);
                    if (e.has(MetaContext.STATE_ZERO)) {
                        sha.update(ZEROES, 0, n);
                    } else {
                        c.read(buf, n, pos);
                        sha.update(buf.view(n));
                    }
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
