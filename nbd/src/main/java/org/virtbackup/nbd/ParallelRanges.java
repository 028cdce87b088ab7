// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.nbd;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * Processes byte ranges with several workers in parallel, each with its own connections: NBD servers
 * (QEMU, qemu-nbd, nbdkit) serve one request per connection at a time from a synchronous client, so
 * several connections over disjoint ranges are how a reader keeps the server busy — what {@code nbdcopy}
 * does with its multi-conn. The ranges are cut into chunks of at most {@code chunkSize} bytes, taken in
 * order from one shared queue.
 *
 * <p>The first failure stops the others from taking more chunks; {@link #run} then throws it, with later
 * failures suppressed, after every worker has been closed.
 *
 * @since 0.1
 */
public final class ParallelRanges {

    /** Processes chunks on one thread; closed on that thread when the run ends. */
    public interface Worker extends AutoCloseable {
        /** Handles one chunk: its offset, length and the flags of the range it was cut from. */
        void process(Extent chunk);

        @Override
        void close();
    }

    private ParallelRanges() {
    }

    /**
     * Runs {@code workers} workers made by {@code factory} over {@code ranges}, cut into chunks.
     *
     * @return the bytes processed (the sum of the ranges' lengths)
     * @throws VirtBackupException the first worker's failure
     */
    public static long run(List<Extent> ranges, int chunkSize, int workers, Supplier<? extends Worker> factory) {
        Objects.requireNonNull(factory, "factory");
        if (chunkSize <= 0 || workers <= 0) {
            throw new IllegalArgumentException("chunkSize and workers must be positive");
        }
        List<Extent> chunks = chunks(ranges, chunkSize);
        if (chunks.isEmpty()) {
            return 0;
        }
        int threads = Math.min(workers, chunks.size());
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean failed = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "nbd-range-worker");
            t.setDaemon(true);
            return t;
        });
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> work(chunks, next, failed, factory)));
            }
            awaitAll(futures);
        } finally {
            pool.shutdownNow();
        }
        return chunks.stream().mapToLong(Extent::length).sum();
    }

    private static void work(List<Extent> chunks, AtomicInteger next, AtomicBoolean failed,
                             Supplier<? extends Worker> factory) {
        try (Worker worker = factory.get()) {
            for (int i = next.getAndIncrement(); i < chunks.size() && !failed.get(); i = next.getAndIncrement()) {
                worker.process(chunks.get(i));
            }
        } catch (RuntimeException | Error e) {
            failed.set(true);
            throw e;
        }
    }

    private static void awaitAll(List<Future<?>> futures) {
        RuntimeException first = null;
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                RuntimeException r = e.getCause() instanceof RuntimeException re ? re
                        : new VirtBackupException(ErrorCode.INTERNAL_ERROR, ErrorDomain.STORAGE,
                                "a range worker failed: " + e.getCause(), e.getCause());
                if (first == null) {
                    first = r;
                } else if (first != r) {
                    first.addSuppressed(r);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VirtBackupException(ErrorCode.OPERATION_ABORTED, ErrorDomain.STORAGE,
                        "interrupted while waiting for the range workers", e);
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** {@code ranges} cut into pieces of at most {@code chunkSize} bytes, in order. */
    public static List<Extent> chunks(List<Extent> ranges, int chunkSize) {
        List<Extent> out = new ArrayList<>();
        for (Extent r : ranges) {
            for (long pos = r.offset(); pos < r.end(); pos += chunkSize) {
                out.add(new Extent(pos, Math.min(chunkSize, r.end() - pos), r.flags()));
            }
        }
        return out;
    }
}
