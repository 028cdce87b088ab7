// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.nbd.testing.Tools;
import org.virtbackup.qemu.testing.RequiresQemu;

/** The binding against real qemu-nbd exports of qcow2 images with known data, holes, zeroes and bitmaps. */
@RequiresQemu
@Timeout(60)
class NbdConnectionTest {
    private static final int K64 = 64 << 10;
    private static final int M1 = 1 << 20;

    @TempDir
    Path tmp;

    /** 8 MiB qcow2: random data [0,1M), data [3M+64K,3M+128K) after zeroing [3M,3M+64K), a pattern at 5M. */
    private byte[] writeKnownImage(Path image) throws Exception {
        Tools.run("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "8M");
        byte[] random = new byte[M1];
        new Random(42).nextBytes(random);
        try (QemuNbdServer server = QemuNbdServer.writable(image, "qcow2", tmp.resolve("w.sock"), 1);
                NbdConnection c = NbdConnection.open(server.uri(), List.of());
                NbdBuffer buf = new NbdBuffer(M1)) {
            assertThat(c.isReadOnly()).isFalse();
            assertThat(c.size()).isEqualTo(8L << 20);
            buf.put(random);
            c.write(buf, M1, 0);
            c.write(buf, 2 * K64, 3L * M1);
            c.zero(K64, 3L * M1);
            byte[] pattern = new byte[K64];
            java.util.Arrays.fill(pattern, (byte) 0x5a);
            buf.put(pattern);
            c.write(buf, K64, 5L * M1);
            c.flush();
        }
        return random;
    }

    @Test
    void aServerThatLeavesSyncingToItsCallerHasTheFileWholeOnceAFlushIsAcknowledged() throws Exception {
        Path image = tmp.resolve("unsynced.qcow2");
        Tools.run("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "2G");
        byte[] random = new byte[M1];
        new Random(43).nextBytes(random);
        long far = (1L << 30) + 3L * M1; // another L2 table than offset 0: qcow2 allocates one there
        try (QemuNbdServer server = QemuNbdServer.writable(image, "qcow2", tmp.resolve("u.sock"), 1,
                QemuNbdServer.Durability.CALLER_SYNCS);
                NbdConnection c = NbdConnection.open(server.uri(), List.of());
                NbdBuffer buf = new NbdBuffer(M1)) {
            assertThat(ProcessHandle.of(server.pid()).flatMap(h -> h.info().arguments()).map(List::of)
                    .orElseThrow()).contains("--cache=unsafe");
            buf.put(random);
            c.write(buf, M1, 0);
            c.write(buf, M1, far);
            c.flush();
            server.kill(); // SIGKILL: nothing more is written back after the flush
        }
        assertThat(Tools.run("qemu-img", "check", image.toString())).contains("No errors were found");
        try (QemuNbdServer server = QemuNbdServer.readOnly(image, "qcow2", tmp.resolve("r.sock"), 1);
                NbdConnection c = NbdConnection.open(server.uri(), List.of());
                NbdBuffer buf = new NbdBuffer(M1)) {
            c.read(buf, M1, 0);
            assertThat(buf.get(M1)).isEqualTo(random);
            c.read(buf, M1, far);
            assertThat(buf.get(M1)).isEqualTo(random);
        }
    }

    @Test
    void readsDataAndReportsHolesZeroesAndDataExtentsExactly() throws Exception {
        Path image = tmp.resolve("known.qcow2");
        byte[] random = writeKnownImage(image);
        try (QemuNbdServer server = QemuNbdServer.readOnly(image, "qcow2", tmp.resolve("r.sock"), 2);
                NbdConnection c = NbdConnection.open(server.uri(), List.of(MetaContext.BASE_ALLOCATION));
                NbdBuffer buf = new NbdBuffer(M1)) {
            assertThat(c.isReadOnly()).isTrue();
            assertThat(c.hasMetaContext(MetaContext.BASE_ALLOCATION)).isTrue();
            c.read(buf, M1, 0);
            assertThat(buf.get(M1)).isEqualTo(random);
            c.read(buf, K64, 3L * M1 + K64);
            assertThat(buf.get(K64)).as("second half of the write at 3M survives the zeroing of the first")
                    .isEqualTo(java.util.Arrays.copyOfRange(random, K64, 2 * K64));
            c.read(buf, K64, 3L * M1);
            assertThat(buf.get(K64)).isEqualTo(new byte[K64]);

            int hole = MetaContext.STATE_HOLE | MetaContext.STATE_ZERO;
            assertThat(c.extents(MetaContext.BASE_ALLOCATION, 0, c.size())).containsExactly(
                    new Extent(0, M1, 0),
                    new Extent(M1, 2L * M1 + K64, hole),
                    new Extent(3L * M1 + K64, K64, 0),
                    new Extent(3L * M1 + 2 * K64, 2L * M1 - 2 * K64, hole),
                    new Extent(5L * M1, K64, 0),
                    new Extent(5L * M1 + K64, 3L * M1 - K64, hole));
            assertThat(c.extents(MetaContext.BASE_ALLOCATION, M1 / 2, 5L * M1)).as("clipped to the range asked")
                    .first().isEqualTo(new Extent(M1 / 2, M1 / 2, 0));
        }
    }

    @Test
    void dirtyBitmapContextMapsExactlyTheWritesSinceTheBitmapWasAdded() throws Exception {
        Path image = tmp.resolve("bitmap.qcow2");
        Tools.run("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "8M");
        Tools.run("qemu-img", "bitmap", "--add", image.toString(), "bm0");
        try (QemuNbdServer server = QemuNbdServer.writable(image, "qcow2", tmp.resolve("w.sock"), 1);
                NbdConnection c = NbdConnection.open(server.uri(), List.of());
                NbdBuffer buf = new NbdBuffer(3 * K64)) {
            byte[] ones = new byte[3 * K64];
            java.util.Arrays.fill(ones, (byte) 1); // not zeroes: the export turns written zeroes into holes
            buf.put(ones);
            c.write(buf, K64, M1);
            c.write(buf, 3 * K64, 4L * M1);
            c.flush();
        }
        String context = MetaContext.dirtyBitmap("bm0");
        try (QemuNbdServer server = QemuNbdServer.start(tmp.resolve("r.sock"),
                List.of("--read-only", "--bitmap=bm0", "--format=qcow2", image.toString()));
                NbdConnection c = NbdConnection.open(server.uri(), List.of(MetaContext.BASE_ALLOCATION, context))) {
            assertThat(c.extents(context, 0, c.size())).containsExactly(
                    new Extent(0, M1, 0),
                    new Extent(M1, K64, MetaContext.STATE_DIRTY),
                    new Extent(M1 + K64, 3L * M1 - K64, 0),
                    new Extent(4L * M1, 3 * K64, MetaContext.STATE_DIRTY),
                    new Extent(4L * M1 + 3 * K64, 4L * M1 - 3 * K64, 0));
            assertThat(c.extents(MetaContext.BASE_ALLOCATION, 0, c.size())).as("both contexts on one connection")
                    .hasSize(5).first().isEqualTo(new Extent(0, M1, 3));
        }
    }

    @Test
    void aContextTheServerDoesNotServeIsRefusedByName() throws Exception {
        Path image = tmp.resolve("plain.qcow2");
        Tools.run("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "1M");
        String context = MetaContext.dirtyBitmap("nope");
        try (QemuNbdServer server = QemuNbdServer.readOnly(image, "qcow2", tmp.resolve("r.sock"), 2);
                NbdConnection c = NbdConnection.open(server.uri(), List.of(context));
                NbdConnection plain = NbdConnection.open(server.uri(), List.of())) {
            VirtBackupException e = catchThrowableOfType(() -> c.extents(context, 0, c.size()),
                    VirtBackupException.class);
            assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_UNSUPPORTED);
            assertThat(e).hasMessageContaining("'qemu:dirty-bitmap:nope'").hasMessageContaining(server.uri());
            VirtBackupException notAsked = catchThrowableOfType(
                    () -> plain.extents(MetaContext.BASE_ALLOCATION, 0, 1), VirtBackupException.class);
            assertThat(notAsked).hasMessageContaining("not asked for");
        }
    }

    @Test
    void connectingToNothingIsOpenFailedNamingTheUri() {
        String uri = "nbd+unix:///?socket=" + tmp.resolve("absent.sock");
        VirtBackupException e = catchThrowableOfType(() -> NbdConnection.open(uri, List.of()),
                VirtBackupException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.OPEN_FAILED);
        assertThat(e).hasMessageContaining(uri).hasCauseInstanceOf(NbdCallException.class);
        assertThat(((NbdCallException) e.getCause()).call()).isEqualTo("nbd_connect_uri");
    }

    @Test
    void aClosedConnectionRefusesCallsInsteadOfCrashing() throws Exception {
        Path image = tmp.resolve("c.qcow2");
        Tools.run("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "1M");
        try (QemuNbdServer server = QemuNbdServer.readOnly(image, "qcow2", tmp.resolve("r.sock"), 1)) {
            NbdConnection c = NbdConnection.open(server.uri(), List.of());
            c.close();
            c.close();
            assertThat(catchThrowableOfType(c::size, VirtBackupException.class).code())
                    .isEqualTo(ErrorCode.OPERATION_INVALID);
        }
    }

    @Test
    void aServerNobodyUsedStopsAtOnceOnSigterm() throws Exception {
        Path image = tmp.resolve("idle.qcow2");
        Tools.run("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "1M");
        for (int i = 0; i < 20; i++) {
            QemuNbdServer server = QemuNbdServer.writable(image, "qcow2", tmp.resolve("i.sock"), 2);
            long t = System.nanoTime();
            server.close();
            assertThat(server.isAlive()).isFalse();
            assertThat((System.nanoTime() - t) / 1_000_000).as("ms to stop (10 000: it ignored SIGTERM)")
                    .isLessThan(3_000);
        }
    }
}
