// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.virtbackup.nbd.Extent;
import org.virtbackup.nbd.MetaContext;
import org.virtbackup.nbd.NbdConnection;
import org.virtbackup.nbd.ParallelRanges;

/**
 * One disk of a backup: plans from the export's extents, takes its qcow2 file served by a writable
 * {@code qemu-nbd} ({@link TargetImage}; made ahead for an incremental, see {@link PreparedTargets}), copies the
 * planned ranges with parallel connections, hashing the blocks as they pass ({@link BlockDigests}): the content
 * is not read back. An incremental also reads from the export the rest of each 1 MiB block it
 * changes, so that the block's digest covers it whole.
 */
final class DiskCopy {
    static final int CHUNK = 4 << 20;

    private DiskCopy() {
    }

    /**
     * Copies {@code disk} from the export at {@code sourceUri} into its target, taken from {@code targets}.
     *
     * @param backing the previous point's file relative to the point's directory, for an incremental
     * @param progress told the bytes copied after every chunk
     */
    static Result copy(ExportedDisk disk, String sourceUri, Optional<String> backing, PreparedTargets targets,
                       int workers, Consumer<CopyProgress> progress) {
        long start = System.nanoTime();
        long size;
        List<Extent> plan;
        if (disk.bitmap().isEmpty()) {
            try (NbdConnection meta = NbdConnection.open(sourceUri, List.of(MetaContext.BASE_ALLOCATION))) {
                size = meta.size();
                plan = ExtentPlan.full(meta.extents(MetaContext.BASE_ALLOCATION, 0, size));
            }
        } else {
            String context = MetaContext.dirtyBitmap(disk.bitmap().get());
            List<Extent> dirty;
            try (NbdConnection meta = NbdConnection.open(sourceUri, List.of(context))) {
                size = meta.size();
                dirty = meta.extents(context, 0, size);
            }
            plan = ExtentPlan.incremental(dirty, allocationOf(sourceUri, dirty));
        }
        BlockUnits units = BlockUnits.of(plan, size);
        long total = units.bytes();
        AtomicLong done = new AtomicLong();
        LongConsumer onUnit = n -> progress.accept(new CopyProgress(disk.name(), done.addAndGet(n), total));
        BlockDigests digests;
        Path file;
        try (TargetImage target = targets.take(new TargetImage.Spec(disk.name(), size, backing))) {
            file = target.file();
            // an incremental starts from the previous point's block digests and rehashes the blocks it touches
            digests = backing.isPresent() ? BlockDigests.read(target.file().resolveSibling(backing.get()), size)
                    .copy() : BlockDigests.zeroes(size);
            progress.accept(new CopyProgress(disk.name(), 0, total));
            ParallelRanges.run(units.units(), BlockUnits.UNIT, workers, () -> new BlockWorker(sourceUri,
                    Optional.of(target.uri()), units, backing.isPresent(), digests, onUnit));
        }
        digests.write(file);
        long data = ExtentPlan.bytes(plan, ExtentPlan.DATA);
        long zero = ExtentPlan.bytes(plan, ExtentPlan.ZERO);
        DiskEntry entry = new DiskEntry(disk.name(), file.getFileName().toString(), backing, size, data, data + zero,
                digests.total());
        return new Result(entry, Duration.ofNanos(System.nanoTime() - start));
    }

    /**
     * The allocation of the dirty ranges only: on a connection of its own, so that the export's allocation is not
     * walked whole (a connection's block status answers every context it negotiated, over the whole request).
     */
    private static List<Extent> allocationOf(String sourceUri, List<Extent> dirty) {
        List<Extent> out = new ArrayList<>();
        List<Extent> ranges = dirty.stream().filter(d -> d.has(MetaContext.STATE_DIRTY)).toList();
        if (ranges.isEmpty()) {
            return List.of();
        }
        try (NbdConnection meta = NbdConnection.open(sourceUri, List.of(MetaContext.BASE_ALLOCATION))) {
            for (Extent d : ranges) {
                out.addAll(meta.extents(MetaContext.BASE_ALLOCATION, d.offset(), d.length()));
            }
        }
        return out;
    }

    /**
     * A copied disk and how long it took.
     *
     * @param entry what the manifest records
     * @param copy planning, creating the file, copying and hashing (the target flushed)
     */
    record Result(DiskEntry entry, Duration copy) {
    }
}
