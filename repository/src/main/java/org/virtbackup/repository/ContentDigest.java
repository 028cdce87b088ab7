// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.virtbackup.nbd.MetaContext;
import org.virtbackup.nbd.NbdConnection;
import org.virtbackup.nbd.ParallelRanges;
import org.virtbackup.nbd.QemuNbdServer;

/**
 * The block digests ({@link BlockDigests}) of a disk's whole content at a point, read through the qcow2 chain by
 * a read-only {@code qemu-nbd} (QEMU resolves the relative backing files) with several connections, each
 * hashing its own blocks. Ranges the server reports as zeroes are not read.
 */
final class ContentDigest {
    private ContentDigest() {
    }

    /** The block digests of {@code image}'s content, read with {@code workers} connections. */
    static BlockDigests of(Path image, Path socketDir, int workers) {
        try (QemuNbdServer server = QemuNbdServer.readOnly(image, "qcow2", socketDir.resolve("digest.sock"),
                workers + 1)) {
            long size;
            BlockUnits units;
            try (NbdConnection c = NbdConnection.open(server.uri(), List.of(MetaContext.BASE_ALLOCATION))) {
                size = c.size();
                units = BlockUnits.of(ExtentPlan.full(c.extents(MetaContext.BASE_ALLOCATION, 0, size)), size);
            }
            BlockDigests digests = BlockDigests.zeroes(size);
            ParallelRanges.run(units.units(), BlockUnits.UNIT, workers, () -> new BlockWorker(server.uri(),
                    Optional.empty(), units, false, digests, n -> { }));
            return digests;
        }
    }
}
