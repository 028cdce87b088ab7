// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.util.ArrayList;
import java.util.List;
import org.virtbackup.nbd.Extent;
import org.virtbackup.nbd.MetaContext;

/**
 * Which ranges of an export a backup copies and which it zeroes, from the server's extents. Pure.
 *
 * <p>A full backup goes into a new, empty qcow2: it copies the ranges that do not read as zeroes and leaves
 * the rest unwritten (holes stay holes). An incremental goes into an overlay of the previous point: every
 * dirty range must be written, data copied and zeroes written as zeroes, or the overlay would show the old
 * data of its backing file through them.
 */
final class ExtentPlan {
    /** Flag of a planned range: write zeroes instead of copying. */
    static final int ZERO = 1;
    /** Flag of a planned range: copy the data. */
    static final int DATA = 0;

    private ExtentPlan() {
    }

    /** The ranges a full backup copies: all that does not read as zeroes. */
    static List<Extent> full(List<Extent> allocation) {
        List<Extent> out = new ArrayList<>();
        for (Extent e : allocation) {
            if (!e.has(MetaContext.STATE_ZERO)) {
                add(out, new Extent(e.offset(), e.length(), DATA));
            }
        }
        return List.copyOf(out);
    }

    /** The ranges an incremental writes: the dirty ones, each cut by allocation into data and zeroes. */
    static List<Extent> incremental(List<Extent> dirty, List<Extent> allocation) {
        List<Extent> out = new ArrayList<>();
        int a = 0;
        for (Extent d : dirty) {
            if (!d.has(MetaContext.STATE_DIRTY)) {
                continue;
            }
            while (a < allocation.size() && allocation.get(a).end() <= d.offset()) {
                a++;
            }
            for (int i = a; i < allocation.size() && allocation.get(i).offset() < d.end(); i++) {
                Extent al = allocation.get(i);
                long start = Math.max(d.offset(), al.offset());
                long end = Math.min(d.end(), al.end());
                add(out, new Extent(start, end - start, al.has(MetaContext.STATE_ZERO) ? ZERO : DATA));
            }
        }
        return List.copyOf(out);
    }

    /** Total bytes of the ranges with {@code flags}. */
    static long bytes(List<Extent> plan, int flags) {
        return plan.stream().filter(e -> e.flags() == flags).mapToLong(Extent::length).sum();
    }

    private static void add(List<Extent> out, Extent e) {
        int last = out.size() - 1;
        if (last >= 0 && out.get(last).end() == e.offset() && out.get(last).flags() == e.flags()) {
            out.set(last, new Extent(out.get(last).offset(), out.get(last).length() + e.length(), e.flags()));
        } else {
            out.add(e);
        }
    }
}
