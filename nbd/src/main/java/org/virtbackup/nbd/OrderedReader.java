// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.nbd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * Reads an export's chunks in parallel over several connections and hands them to one consumer in order,
 * for work that must see the bytes sequentially (a content digest): a window of chunks is read ahead while
 * the consumer works on the oldest. Chunks flagged as zeroes are not read; the consumer gets them without a
 * buffer.
 *
 * @since 0.1
 */
public final class OrderedReader {

    /** Receives the chunks in order; {@code data} is empty for a zero chunk and valid only during the call. */
    public interface Consumer {
        void accept(Extent chunk, java.util.Optional<NbdBuffer> data);
    }

    private OrderedReader() {
    }

    /**
     * Reads {@code chunks} (as cut by {@link ParallelRanges#chunks}, each at most {@code chunkSize} bytes) from
     * {@code uri} with {@code workers} connections, {@code 2 * workers} chunks ahead at most, and passes them
     * to {@code consumer} in order. Chunks whose flags contain {@code zeroMask} bits are passed without reading.
     *
     * @throws VirtBackupException the first read's failure (or the consumer's)
     */
    public static void read(String uri, List<Extent> chunks, int chunkSize, int workers, int zeroMask,
                            Consumer consumer) {
        Objects.requireNonNull(consumer, "consumer");
        int window = 2 * workers;
        BlockingQueue<NbdConnection> connections = new ArrayBlockingQueue<>(workers);
        BlockingQueue<NbdBuffer> buffers = new ArrayBlockingQueue<>(window);
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "nbd-ordered-reader");
            t.setDaemon(true);
            return t;
        });
        List<AutoCloseable> owned = new ArrayList<>();
        Deque<Future<NbdBuffer>> pending = new ArrayDeque<>();
        try {
            for (int i = 0; i < workers; i++) {
                NbdConnection c = NbdConnection.open(uri, List.of());
                owned.add(c);
                connections.add(c);
            }
            for (int i = 0; i < window; i++) {
                NbdBuffer b = new NbdBuffer(chunkSize);
                owned.add(b);
                buffers.add(b);
            }
            int next = 0;
            for (int done = 0; done < chunks.size(); done++) {
                for (; next < chunks.size() && pending.size() < window; next++) {
                    pending.add(submit(pool, chunks.get(next), zeroMask, connections, buffers));
                }
                NbdBuffer data = await(pending.remove());
                consumer.accept(chunks.get(done), java.util.Optional.ofNullable(data));
                if (data != null) {
                    buffers.add(data);
                }
            }
        } finally {
            pool.shutdownNow();
            awaitQuietly(pool);
            for (AutoCloseable c : owned) {
                try {
                    c.close();
                } catch (Exception e) {
                    // closing a connection or freeing memory does not fail in a way the caller can act on
                }
            }
        }
    }

    private static Future<NbdBuffer> submit(ExecutorService pool, Extent chunk, int zeroMask,
                                            BlockingQueue<NbdConnection> connections,
                                            BlockingQueue<NbdBuffer> buffers) {
        if ((chunk.flags() & zeroMask) != 0) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
        NbdBuffer buffer = buffers.remove(); // the window bounds the chunks in flight to the buffers there are
        return pool.submit(() -> {
            NbdConnection c = connections.take();
            try {
                c.read(buffer, (int) chunk.length(), chunk.offset());
                return buffer;
            } finally {
                connections.add(c);
            }
        });
    }

    private static NbdBuffer await(Future<NbdBuffer> f) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new VirtBackupException(ErrorCode.READ_FAILED, ErrorDomain.STORAGE,
                    "an ordered read failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VirtBackupException(ErrorCode.OPERATION_ABORTED, ErrorDomain.STORAGE,
                    "interrupted while reading in order", e);
        }
    }

    private static void awaitQuietly(ExecutorService pool) {
        try {
            pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
