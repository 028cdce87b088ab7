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
import org.virtbackup.nbd.QemuNbdServer;

/**
 * One disk of a backup: plans from the export's extents, creates the qcow2 file with {@code qemu-img}
 * (an overlay of the previous point's file for an incremental), serves it with a writable {@code qemu-nbd},
 * copies the planned ranges with parallel connections, hashing the blocks as they pass ({@link BlockDigests}):
 * the content is not read back. An incremental also reads from the export the rest of each 1 MiB block it
 * changes, so that the block's digest covers it whole.
 */
final class DiskCopy {
    static final int CHUNK = 4 << 20;

    private DiskCopy() {
    }

    /**
     * Copies {@code disk} from the export at {@code sourceUri} into {@code pointDir/<disk>.qcow2}.
     *
     * @param backing the previous point's file relative to {@code pointDir}, for an incremental
     * @param socketDir a private directory for the target's and the digest's sockets
     * @param compress whether the target's clusters are written compressed
     * @param progress told the bytes copied after every chunk
     */
    static Result copy(ExportedDisk disk, String sourceUri, Path pointDir, Optional<String> backing,
                       Path socketDir, int workers, boolean compress, Consumer<CopyProgress> progress) {
        long start = System.nanoTime();
        String fileName = Repository.checkName(disk.name(), "disk") + ".qcow2";
        List<String> contexts = new ArrayList<>(List.of(MetaContext.BASE_ALLOCATION));
        disk.bitmap().ifPresent(b -> contexts.add(MetaContext.dirtyBitmap(b)));
        long size;
        List<Extent> plan;
        try (NbdConnection meta = NbdConnection.open(sourceUri, contexts)) {
            size = meta.size();
            List<Extent> allocation = meta.extents(MetaContext.BASE_ALLOCATION, 0, size);
            plan = disk.bitmap().isPresent()
                    ? ExtentPlan.incremental(meta.extents(contexts.get(1), 0, size), allocation)
                    : ExtentPlan.full(allocation);
        }
        Path target = pointDir.resolve(fileName);
        BlockUnits units = BlockUnits.of(plan, size);
        // an incremental starts from the previous point's block digests and rehashes the blocks it touches
        BlockDigests digests = backing.isPresent()
                ? BlockDigests.read(pointDir.resolve(backing.get()), size).copy() : BlockDigests.zeroes(size);
        List<String> create = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", "qcow2"));
        backing.ifPresent(b -> create.addAll(List.of("-b", b, "-F", "qcow2")));
        create.addAll(List.of(target.toString(), Long.toString(size)));
        QemuTool.run(create, "cannot create '" + target + "'");
        long total = units.bytes();
        AtomicLong done = new AtomicLong();
        LongConsumer onUnit = n -> progress.accept(new CopyProgress(disk.name(), done.addAndGet(n), total));
        progress.accept(new CopyProgress(disk.name(), 0, total));
        Path socket = socketDir.resolve(disk.name() + ".sock");
        try (QemuNbdServer server = compress ? QemuNbdServer.writableCompressed(target, socket, workers)
                : QemuNbdServer.writable(target, "qcow2", socket, workers)) {
            ParallelRanges.run(units.units(), BlockUnits.UNIT, workers, () -> new BlockWorker(sourceUri,
                    Optional.of(server.uri()), units, backing.isPresent(), digests, onUnit));
        }
        digests.write(target);
        long data = ExtentPlan.bytes(plan, ExtentPlan.DATA);
        long zero = ExtentPlan.bytes(plan, ExtentPlan.ZERO);
        DiskEntry entry = new DiskEntry(disk.name(), fileName, backing, size, data, data + zero, digests.total());
        return new Result(entry, Duration.ofNanos(System.nanoTime() - start));
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
