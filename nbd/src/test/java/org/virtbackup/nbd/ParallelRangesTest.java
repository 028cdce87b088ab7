// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.nbd.testing.Tools;
import org.virtbackup.qemu.launch.DiskDataGenerator;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.testing.RequiresQemu;

/** Chunking, and a parallel copy of only the data extents from one qemu-nbd export into another. */
@Timeout(120)
class ParallelRangesTest {
    private static final int M1 = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void rangesAreCutIntoChunksThatKeepTheirFlags() {
        assertThat(ParallelRanges.chunks(List.of(new Extent(0, 5, 1), new Extent(10, 2, 0)), 2)).containsExactly(
                new Extent(0, 2, 1), new Extent(2, 2, 1), new Extent(4, 1, 1), new Extent(10, 2, 0));
    }

    @Test
    @RequiresQemu
    void copyingOnlyTheDataExtentsWithFourConnectionsGivesAnIdenticalSparseImage() throws Exception {
        Path source = tmp.resolve("source.qcow2");
        Path target = tmp.resolve("target.qcow2");
        DiskDataGenerator.generate(source, ImageFormat.QCOW2, 64L << 20, 3);
        Tools.run("qemu-img", "create", "-q", "-f", "qcow2", target.toString(), "64M");
        Set<String> threads = ConcurrentHashMap.newKeySet();
        long copied;
        long dataBytes;
        try (QemuNbdServer src = QemuNbdServer.readOnly(source, "qcow2", tmp.resolve("s.sock"), 5);
                QemuNbdServer dst = QemuNbdServer.writable(target, "qcow2", tmp.resolve("t.sock"), 4)) {
            List<Extent> data;
            try (NbdConnection c = NbdConnection.open(src.uri(), List.of(MetaContext.BASE_ALLOCATION))) {
                data = c.extents(MetaContext.BASE_ALLOCATION, 0, c.size()).stream()
                        .filter(e -> !e.has(MetaContext.STATE_ZERO)).toList();
            }
            dataBytes = data.stream().mapToLong(Extent::length).sum();
            copied = ParallelRanges.run(data, 4 * M1, 4, () -> new ParallelRanges.Worker() {
                final NbdConnection in = NbdConnection.open(src.uri(), List.of());
                final NbdConnection out = NbdConnection.open(dst.uri(), List.of());
                final NbdBuffer buf = new NbdBuffer(4 * M1);

                @Override
                public void process(Extent chunk) {
                    threads.add(Thread.currentThread().getName() + Thread.currentThread().getId());
                    in.read(buf, (int) chunk.length(), chunk.offset());
                    out.write(buf, (int) chunk.length(), chunk.offset());
                }

                @Override
                public void close() {
                    out.flush();
                    in.close();
                    out.close();
                    buf.close();
                }
            });
        }
        assertThat(copied).isEqualTo(dataBytes).isGreaterThan(16L * M1).isLessThan(64L * M1);
        assertThat(threads).as("work spread over several connections").hasSizeGreaterThan(1);
        assertThat(Tools.run("qemu-img", "compare", "-f", "qcow2", "-F", "qcow2", source.toString(),
                target.toString())).contains("Images are identical");
    }
}
