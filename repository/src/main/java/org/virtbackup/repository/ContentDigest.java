// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.virtbackup.nbd.Extent;
import org.virtbackup.nbd.MetaContext;
import org.virtbackup.nbd.OrderedReader;
import org.virtbackup.nbd.ParallelRanges;
import org.virtbackup.nbd.NbdConnection;
import org.virtbackup.nbd.QemuNbdServer;

/**
 * SHA-256 of a disk's whole content at a point: every byte of its virtual size, in order, read through the
 * qcow2 chain by a read-only {@code qemu-nbd} (QEMU resolves the relative backing files). Ranges the server
 * reports as zeroes are hashed as zeroes without being read; data is read ahead over several connections. The same definition as {@code sha256sum} of the
 * disk's raw image, so a restore can be checked with standard tools.
 */
final class ContentDigest {
    private static final int CHUNK = 4 << 20;
    private static final byte[] ZEROES = new byte[CHUNK];

    private ContentDigest() {
    }

    /**
     * The digest of {@code image}'s content, in lowercase hex, read with {@code workers} connections ahead of the
     * hashing; {@code socketDir} is a private directory.
     */
    static String of(Path image, Path socketDir, int workers) {
        MessageDigest sha = sha256();
        try (QemuNbdServer server = QemuNbdServer.readOnly(image, "qcow2", socketDir.resolve("digest.sock"),
                workers + 1)) {
            List<Extent> extents;
            try (NbdConnection c = NbdConnection.open(server.uri(), List.of(MetaContext.BASE_ALLOCATION))) {
                extents = c.extents(MetaContext.BASE_ALLOCATION, 0, c.size());
            }
            OrderedReader.read(server.uri(), ParallelRanges.chunks(extents, CHUNK), CHUNK, workers,
                    MetaContext.STATE_ZERO, (chunk, data) -> {
                        int n = (int) chunk.length();
                        if (data.isPresent()) {
                            sha.update(data.get().view(n));
                        } else {
                            sha.update(ZEROES, 0, n);
                        }
                    });
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
