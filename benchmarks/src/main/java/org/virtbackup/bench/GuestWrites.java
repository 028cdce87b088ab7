// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the guest writes between a full and an incremental backup: {@code percent} of the disk in writes of
 * {@code chunk} bytes, spread evenly over the disk (each write at the start of its share, chunk-aligned), so
 * that both sides of a side-by-side run dirty the same clusters.
 */
final class GuestWrites {
    private GuestWrites() {
    }

    /**
     * The offsets of the writes: {@code ceil(size * percent / 100 / chunk)} of them, at least one.
     *
     * @throws IllegalArgumentException when the writes do not fit in the disk or an argument is not positive
     */
    static List<Long> offsets(long size, double percent, long chunk) {
        if (size <= 0 || chunk <= 0 || percent <= 0 || percent > 100) {
            throw new IllegalArgumentException("size and chunk must be positive and percent in (0, 100]");
        }
        long count = Math.max(1, (long) Math.ceil(size * percent / 100 / chunk));
        if (count * chunk > size) {
            throw new IllegalArgumentException(count + " writes of " + chunk + " bytes do not fit in " + size);
        }
        long share = size / count / chunk * chunk;
        List<Long> out = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            out.add(i * share);
        }
        return List.copyOf(out);
    }
}
