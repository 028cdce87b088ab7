// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.nbd.testing.NbdkitServer;

/** Servers that fail: read errors from nbdkit's error filter, a server killed while a read waits. */
@Timeout(60)
class NbdFaultTest {
    private static final int M1 = 1 << 20;

    @TempDir
    Path tmp;

    @BeforeEach
    void nbdkit() {
        NbdkitServer.assumeInstalled();
    }

    @Test
    void aReadErrorIsReadFailedWithTheServersErrno() throws Exception {
        try (NbdkitServer server = NbdkitServer.start(tmp.resolve("e.sock"), "--filter=error", "memory",
                "size=16M", "error-pread=EIO", "error-pread-rate=100%");
                NbdConnection c = NbdConnection.open(server.uri(), List.of(MetaContext.BASE_ALLOCATION));
                NbdBuffer buf = new NbdBuffer(M1)) {
            assertThat(c.extents(MetaContext.BASE_ALLOCATION, 0, c.size())).as("only reads fail").isNotEmpty();
            VirtBackupException e = catchThrowableOfType(() -> c.read(buf, M1, 4L * M1), VirtBackupException.class);
            assertThat(e.code()).isEqualTo(ErrorCode.READ_FAILED);
            assertThat(e).hasMessageContaining("cannot read 1048576 bytes at offset 4194304 of '" + server.uri());
            NbdCallException cause = (NbdCallException) e.getCause();
            assertThat(cause.call()).isEqualTo("nbd_pread");
            assertThat(cause.errno()).hasValue(5);
            assertThat(c.size()).as("the connection stays usable after a failed command").isEqualTo(16L << 20);
        }
    }

    @Test
    void aServerKilledWhileAReadWaitsFailsTheReadAtOnce() throws Exception {
        try (NbdkitServer server = NbdkitServer.start(tmp.resolve("d.sock"), "--filter=delay", "memory",
                "size=16M", "delay-read=30");
                NbdConnection c = NbdConnection.open(server.uri(), List.of());
                NbdBuffer buf = new NbdBuffer(M1)) {
            CompletableFuture<Void> read = CompletableFuture.runAsync(() -> c.read(buf, M1, 0));
            Thread.sleep(500);
            assertThat(read).as("the read waits on the delayed server").isNotDone();
            long killed = System.nanoTime();
            server.kill();
            ExecutionException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> catchThrowableOfType(() -> read.get(10, TimeUnit.SECONDS), ExecutionException.class));
            assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(Duration.ofSeconds(5));
            VirtBackupException v = (VirtBackupException) e.getCause();
            assertThat(v.code()).isEqualTo(ErrorCode.READ_FAILED);
            assertThat(v).hasMessageContaining("cannot read 1048576 bytes at offset 0");
            VirtBackupException after = catchThrowableOfType(() -> c.read(buf, M1, 0), VirtBackupException.class);
            assertThat(after.code()).as("a dead connection keeps failing clearly: %s", after.getMessage())
                    .isEqualTo(ErrorCode.READ_FAILED);
        }
    }

    @Test
    void parallelWorkersAllStopWhenTheServerDies() throws Exception {
        try (NbdkitServer server = NbdkitServer.start(tmp.resolve("p.sock"), "--filter=delay", "memory",
                "size=64M", "delay-read=1")) {
            CompletableFuture<Long> run = CompletableFuture.supplyAsync(() -> ParallelRanges.run(
                    List.of(new Extent(0, 64L << 20, 0)), M1, 4, () -> new ReadingWorker(server.uri())));
            Thread.sleep(1500);
            server.kill();
            ExecutionException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> catchThrowableOfType(() -> run.get(10, TimeUnit.SECONDS), ExecutionException.class));
            VirtBackupException v = (VirtBackupException) e.getCause();
            assertThat(v.code()).isIn(ErrorCode.READ_FAILED, ErrorCode.OPEN_FAILED);
        }
    }

    /** Reads each chunk into its own buffer over its own connection. */
    static final class ReadingWorker implements ParallelRanges.Worker {
        private final NbdConnection c;
        private final NbdBuffer buf = new NbdBuffer(M1);

        ReadingWorker(String uri) {
            this.c = NbdConnection.open(uri, List.of());
        }

        @Override
        public void process(Extent chunk) {
            c.read(buf, (int) chunk.length(), chunk.offset());
        }

        @Override
        public void close() {
            c.close();
            buf.close();
        }
    }
}
