// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.virtbackup.nbd.Extent;

/**
 * The work of a copy or a digest cut into units of 4 MiB aligned on the disk (four digest blocks each): the
 * planned ranges of each unit that has some, so that one worker reads, writes and hashes whole blocks. Pure.
 */
final class BlockUnits {
    static final int UNIT = 4 * BlockDigests.BLOCK;

    private final Map<Long, List<Extent>> pieces;
    private final long size;

    private BlockUnits(Map<Long, List<Extent>> pieces, long size) {
        this.pieces = pieces;
        this.size = size;
    }

    /** {@code plan} (ranges in order, with their flags) on a disk of {@code size} bytes. */
    static BlockUnits of(List<Extent> plan, long size) {
        Map<Long, List<Extent>> byUnit = new TreeMap<>();
        for (Extent e : plan) {
            for (long pos = e.offset(); pos < e.end(); ) {
                long unit = pos / UNIT * UNIT;
                long end = Math.min(e.end(), unit + UNIT);
                byUnit.computeIfAbsent(unit, u -> new ArrayList<>()).add(new Extent(pos, end - pos, e.flags()));
                pos = end;
            }
        }
        return new BlockUnits(byUnit, size);
    }

    /** The units that have planned ranges, in order: for {@link org.virtbackup.nbd.ParallelRanges} with chunks of {@link #UNIT}. */
    List<Extent> units() {
        return pieces.keySet().stream().map(u -> new Extent(u, Math.min(UNIT, size - u), 0)).toList();
    }

    /** The planned ranges of the unit at {@code offset}. */
    List<Extent> pieces(long offset) {
        return pieces.getOrDefault(offset, List.of());
    }

    /** Bytes of every planned range. */
    long bytes() {
        return pieces.values().stream().flatMap(List::stream).mapToLong(Extent::length).sum();
    }

    /**
     * The runs of whole blocks of {@code unit} that its pieces touch, as ranges on the disk (the last block may
     * end with the disk).
     */
    List<Extent> touchedBlocks(Extent unit) {
        List<Extent> runs = new ArrayList<>();
        for (Extent p : pieces(unit.offset())) {
            long from = p.offset() / BlockDigests.BLOCK * BlockDigests.BLOCK;
            long to = Math.min(size, (p.end() + BlockDigests.BLOCK - 1) / BlockDigests.BLOCK * BlockDigests.BLOCK);
            int last = runs.size() - 1;
            if (last >= 0 && runs.get(last).end() >= from) {
                Extent r = runs.get(last);
                runs.set(last, new Extent(r.offset(), Math.max(r.end(), to) - r.offset(), 0));
            } else {
                runs.add(new Extent(from, to - from, 0));
            }
        }
        return runs;
    }
}
