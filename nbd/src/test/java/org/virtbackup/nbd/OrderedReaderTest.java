// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.nbd.testing.NbdkitServer;
import org.virtbackup.nbd.testing.Tools;
import org.virtbackup.qemu.launch.DiskDataGenerator;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.testing.RequiresQemu;

/** Parallel reads handed over in order: the same bytes as a raw image, and a read error surfaces. */
@Timeout(120)
class OrderedReaderTest {
    private static final int CHUNK = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    @RequiresQemu
    void chunksArriveInOrderAndHashLikeTheRawImage() throws Exception {
        Path image = tmp.resolve("d.qcow2");
        DiskDataGenerator.generate(image, ImageFormat.QCOW2, 32L << 20, 5);
        Path raw = tmp.resolve("d.raw");
        Tools.run("qemu-img", "convert", "-f", "qcow2", "-O", "raw", image.toString(), raw.toString());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        List<Long> offsets = new ArrayList<>();
        int[] zeroChunks = {0};
        try (QemuNbdServer server = QemuNbdServer.readOnly(image, "qcow2", tmp.resolve("s.sock"), 5)) {
            List<Extent> extents;
            try (NbdConnection c = NbdConnection.open(server.uri(), List.of(MetaContext.BASE_ALLOCATION))) {
                extents = c.extents(MetaContext.BASE_ALLOCATION, 0, c.size());
            }
            OrderedReader.read(server.uri(), ParallelRanges.chunks(extents, CHUNK), CHUNK, 4, MetaContext.STATE_ZERO,
                    (chunk, data) -> {
                        offsets.add(chunk.offset());
                        if (data.isPresent()) {
                            sha.update(data.get().view((int) chunk.length()));
                        } else {
                            zeroChunks[0]++;
                            sha.update(new byte[(int) chunk.length()]);
                        }
                    });
        }
        assertThat(offsets).isSorted().first().isEqualTo(0L);
        assertThat(zeroChunks[0]).as("the generator leaves holes and zeroes").isPositive();
        MessageDigest ref = MessageDigest.getInstance("SHA-256");
        ref.update(java.nio.file.Files.readAllBytes(raw));
        assertThat(HexFormat.of().formatHex(sha.digest())).isEqualTo(HexFormat.of().formatHex(ref.digest()));
    }

    @Test
    void aFailedReadStopsTheRunWithItsError() throws Exception {
        NbdkitServer.assumeInstalled();
        try (NbdkitServer server = NbdkitServer.start(tmp.resolve("e.sock"), "--filter=error", "memory", "size=16M",
                "error-pread=EIO", "error-pread-rate=100%")) {
            VirtBackupException e = catchThrowableOfType(() -> OrderedReader.read(server.uri(),
                    List.of(new Extent(0, CHUNK, 0), new Extent(CHUNK, CHUNK, 0)), CHUNK, 2, MetaContext.STATE_ZERO,
                    (chunk, data) -> { }), VirtBackupException.class);
            assertThat(e.code()).isEqualTo(ErrorCode.READ_FAILED);
        }
    }
}
