// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.virtbackup.nbd.Extent;
import org.virtbackup.nbd.NbdBuffer;
import org.virtbackup.nbd.NbdConnection;
import org.virtbackup.nbd.ParallelRanges;

/**
 * Works on whole units ({@link BlockUnits}) over its own connections: fills the blocks the unit's pieces touch
 * (zeroes and the data pieces read from the source, or, for an incremental, those blocks read whole from the
 * source, which shows the disk at the checkpoint), writes the pieces to the target when there is one (data
 * copied, zeroes written as zeroes), and hashes those blocks into {@link BlockDigests}.
 */
final class BlockWorker implements ParallelRanges.Worker {
    private final BlockUnits units;
    private final boolean wholeBlocks;
    private final BlockDigests digests;
    private final LongConsumer done;
    private final NbdConnection source;
    private final Optional<NbdConnection> target;
    private final NbdBuffer buffer = new NbdBuffer(BlockUnits.UNIT);

    /**
     * @param wholeBlocks read every touched block whole from the source (an incremental); else the blocks read as
     *     zeroes but for the data pieces (a full, a digest)
     * @param done told the bytes of the pieces of each unit done
     */
    BlockWorker(String sourceUri, Optional<String> targetUri, BlockUnits units, boolean wholeBlocks,
                BlockDigests digests, LongConsumer done) {
        this.units = units;
        this.wholeBlocks = wholeBlocks;
        this.digests = digests;
        this.done = done;
        NbdConnection s = NbdConnection.open(sourceUri, List.of());
        try {
            this.target = targetUri.map(u -> NbdConnection.open(u, List.of()));
        } catch (RuntimeException e) {
            s.close();
            buffer.close();
            throw e;
        }
        this.source = s;
    }

    @Override
    public void process(Extent unit) {
        List<Extent> pieces = units.pieces(unit.offset());
        List<Extent> blocks = units.touchedBlocks(unit);
        for (Extent b : blocks) {
            if (wholeBlocks) {
                source.read(buffer, at(unit, b), (int) b.length(), b.offset());
            } else {
                buffer.zero(at(unit, b), (int) b.length());
            }
        }
        long bytes = 0;
        for (Extent p : pieces) {
            boolean zero = p.flags() == ExtentPlan.ZERO;
            if (!wholeBlocks && !zero) {
                source.read(buffer, at(unit, p), (int) p.length(), p.offset());
            }
            if (target.isPresent()) {
                if (zero) {
                    target.get().zero(p.length(), p.offset());
                } else {
                    target.get().write(buffer, at(unit, p), (int) p.length(), p.offset());
                }
            }
            bytes += p.length();
        }
        for (Extent b : blocks) {
            for (long pos = b.offset(); pos < b.end(); pos += BlockDigests.BLOCK) {
                int n = (int) Math.min(BlockDigests.BLOCK, b.end() - pos);
                digests.set((int) (pos / BlockDigests.BLOCK), buffer.view((int) (pos - unit.offset()), n));
            }
        }
        done.accept(bytes);
    }

    private static int at(Extent unit, Extent range) {
        return (int) (range.offset() - unit.offset());
    }

    /** Flushes the target (a failure there fails the copy), then disconnects. */
    @Override
    public void close() {
        try {
            target.ifPresent(NbdConnection::flush);
        } finally {
            source.close();
            target.ifPresent(NbdConnection::close);
            buffer.close();
        }
    }
}
