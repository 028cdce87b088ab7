// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.util.List;
import java.util.function.LongConsumer;
import org.virtbackup.nbd.Extent;
import org.virtbackup.nbd.NbdBuffer;
import org.virtbackup.nbd.NbdConnection;
import org.virtbackup.nbd.ParallelRanges;

/** Copies planned chunks from a source export to a target export over its own two connections; reports each. */
final class CopyWorker implements ParallelRanges.Worker {
    private final NbdConnection source;
    private final NbdConnection target;
    private final NbdBuffer buffer;
    private final LongConsumer copied;

    CopyWorker(String sourceUri, String targetUri, int chunk, LongConsumer copied) {
        NbdConnection s = NbdConnection.open(sourceUri, List.of());
        try {
            this.target = NbdConnection.open(targetUri, List.of());
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        this.source = s;
        this.buffer = new NbdBuffer(chunk);
        this.copied = copied;
    }

    @Override
    public void process(Extent chunk) {
        if (chunk.flags() == ExtentPlan.ZERO) {
            target.zero(chunk.length(), chunk.offset());
        } else {
            source.read(buffer, (int) chunk.length(), chunk.offset());
            target.write(buffer, (int) chunk.length(), chunk.offset());
        }
        copied.accept(chunk.length());
    }

    /** Flushes the target (a failure there fails the copy), then disconnects both. */
    @Override
    public void close() {
        try {
            target.flush();
        } finally {
            source.close();
            target.close();
            buffer.close();
        }
    }
}
