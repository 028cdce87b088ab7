// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.virtbackup.qemu.driver.CheckpointQemu.bitmaps;
import static org.virtbackup.qemu.driver.CheckpointQemu.both;
import static org.virtbackup.qemu.driver.CheckpointQemu.create;

import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.CheckpointXmlFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.JobEvent;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.qmp.QmpConnectException;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * SPEC §2 on a real QEMU: a connection holds the QMP socket only while an operation works (unless opened with
 * {@code qmpHold=connection}), so several connections, other processes' clients and the CLI can take turns.
 */
@RequiresQemu
@Timeout(120)
class ConnectionLifecycleTest extends DomainTest {

    private Connection open(String... options) {
        Map<String, String> all = new HashMap<>();
        for (int i = 0; i < options.length; i += 2) {
            all.put(options[i], options[i + 1]);
        }
        all.put("stateDir", f.state.toString());
        return Connections.open(f.qemu.qmpUri("vm1"), all);
    }

    /** A client of the public socket besides the driver, as another program would be. */
    private QmpChannel rawClient(Duration wait) {
        QmpChannel ch = QmpChannel.unix(f.qemu.qmpSocket(), wait, Duration.ofSeconds(10));
        ch.connect();
        return ch;
    }

    @Test
    void twoConnectionsOpenAtOnceAreUsableAlternately() {
        try (Connection a = open(); Connection b = open()) {
            create(a.domain(), "c1");
            assertThat(b.domain().checkpointLookupByName("c1").isCurrent()).isTrue();
            create(b.domain(), "c2");
            String sized = a.domain().checkpointLookupByName("c2").getXmlDesc(EnumSet.of(CheckpointXmlFlag.SIZE));
            assertThat(sized).contains("<disk name='vda' checkpoint='bitmap' bitmap='c2' size='0'/>");
            assertThat(b.domain().checkpointHealth().ok()).isTrue();
            assertThat(a.domain().listAllCheckpoints(EnumSet.noneOf(CheckpointListFlag.class)))
                    .extracting(DomainCheckpoint::name).containsExactly("c1", "c2");
            assertThat(bitmaps(f.qemu)).isEqualTo(both("c1", "c2"));
        }
    }

    @Test
    void aRawClientConnectsBetweenTwoOperationsOfAnOpenConnection() {
        try (Connection conn = open()) {
            create(conn.domain(), "c1");
            try (QmpChannel raw = rawClient(Duration.ofMillis(500))) {
                assertThat(raw.execute(QmpCommand.of("query-status")).path("status").asText()).isEqualTo("prelaunch");
                // while the raw client holds the socket, metadata still works
                assertThat(conn.domain().checkpointLookupByName("c1").getXmlDesc(Set.of())).contains("<name>c1</name>");
            }
            create(conn.domain(), "c2");
            assertThat(bitmaps(f.qemu)).isEqualTo(both("c1", "c2"));
        }
    }

    /** The holder, and two clients in QEMU's queue: the driver's connect is the fourth, and still bounded. */
    @Test
    void aBusySocketFailsAfterTheBoundedWaitNamingTheSocket() throws Exception {
        try (Connection conn = open("qmpWait", "1"); QmpChannel raw = rawClient(Duration.ofMillis(500));
                SocketChannel queued1 = SocketChannel.open(UnixDomainSocketAddress.of(f.qemu.qmpSocket()));
                SocketChannel queued2 = SocketChannel.open(UnixDomainSocketAddress.of(f.qemu.qmpSocket()))) {
            long t0 = System.nanoTime();
            VirtBackupException e = catchThrowableOfType(() -> create(conn.domain(), "c1"), VirtBackupException.class);
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_BUSY);
            assertThat(e).hasMessageStartingWith("qmp socket '" + f.qemu.qmpSocket() + "' is busy: another client held it "
                    + "for the whole 1 s wait").hasMessageContaining("second '-qmp unix:<path>,server=on,wait=off'");
            assertThat(waitedMs).isBetween(900L, 3000L);
            assertThat(conn.domain().listAllCheckpoints(Set.of())).isEmpty();
        }
    }

    @Test
    void aClientThatLetsGoWithinTheWaitHandsTheSocketOver() throws Exception {
        try (Connection conn = open()) {
            QmpChannel raw = rawClient(Duration.ofMillis(500));
            Thread release = new Thread(() -> {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                raw.close();
            });
            release.start();
            create(conn.domain(), "c1"); // waits in QEMU's queue until the raw client leaves
            release.join();
            assertThat(bitmaps(f.qemu)).isEqualTo(both("c1"));
        }
    }

    @Test
    void holdConnectionKeepsOthersOutWithTheBusyError() {
        try (Connection holder = open("qmpHold", "connection")) {
            create(holder.domain(), "c1");
            QmpConnectException raw = catchThrowableOfType(() -> rawClient(Duration.ofMillis(300)), QmpConnectException.class);
            assertThat(raw.busy()).isTrue();
            VirtBackupException e = catchThrowableOfType(() -> open("qmpWait", "0.5"), VirtBackupException.class);
            assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_BUSY);
            assertThat(e).hasMessageStartingWith("qmp socket '" + f.qemu.qmpSocket() + "' is busy")
                    .hasMessageContaining("qmpHold=connection");
            create(holder.domain(), "c2");
        }
        try (QmpChannel raw = rawClient(Duration.ofSeconds(2))) {
            assertThat(raw.execute(QmpCommand.of("query-status")).path("status").asText()).isEqualTo("prelaunch");
        }
        assertThat(bitmaps(f.qemu)).isEqualTo(both("c1", "c2"));
    }

    /** Each CLI verb opens a connection: the health warning is logged when the report changes, not each time. */
    @Test
    void theHealthWarningAtOpenIsLoggedOncePerChange() throws Exception {
        create(f.domain(), "c1");
        f.disconnect();
        java.nio.file.Files.delete(f.state.resolve("vm1/checkpoints/c1.xml"));
        assertThat(openLogging()).contains("WARN").contains("orphan bitmap 'c1'");
        assertThat(openLogging()).doesNotContain("WARN");
        try (Connection conn = open()) {
            conn.domain().checkpointRemoveBitmap("c1");
        }
        assertThat(openLogging()).contains("INFO").contains("domain 'vm1': checkpoints and bitmaps agree again");
        assertThat(openLogging()).isEmpty();
        create(f.domain(), "c2");
        f.disconnect();
        java.nio.file.Files.delete(f.state.resolve("vm1/checkpoints/c2.xml"));
        assertThat(openLogging()).contains("WARN").contains("orphan bitmap 'c2'");
    }

    private String openLogging() {
        Connection[] conn = new Connection[1];
        String log = CheckpointHealthTest.openCapturingLog(f.qemu, f.state, conn);
        conn[0].close();
        return log;
    }

    @Test
    void badQmpOptionsAreRefused() {
        assertThat(catchThrowableOfType(() -> open("qmpHold", "forever"), VirtBackupException.class))
                .hasMessage("option qmpHold must be 'operation' or 'connection', not 'forever'");
        assertThat(catchThrowableOfType(() -> open("qmpWait", "-1"), VirtBackupException.class))
                .hasMessage("option qmpWait must be a number of seconds from 0 to 3600, not '-1'");
    }

    /**
     * A push job started on one connection, observed there by a listener and awaited from a second connection
     * (as another process would); a raw client gets the socket while the job runs, and the listener sees each
     * disk conclude once and the job's completion exactly once, last.
     */
    @Test
    void aJobStartedOnOneConnectionIsAwaitedFromAnother() throws Exception {
        Path vdaT = tmp.resolve("vda.t.qcow2");
        Path vdbT = tmp.resolve("vdb.t.qcow2");
        List<JobEvent> events = new CopyOnWriteArrayList<>();
        try (Connection starter = open("backupSpeed", Long.toString(16 << 20)); Connection other = open()) {
            BackupJob job = starter.domain().backupStart(PushBackupTest.pushXml(null, vdaT, vdbT),
                    PushBackupTest.checkpointXml("c1"), Set.of());
            try (AutoCloseable sub = job.onEvent(events::add)) {
                try (QmpChannel raw = rawClient(Duration.ofSeconds(2))) {
                    assertThat(raw.execute(QmpCommand.of("query-jobs")).size()).isEqualTo(2);
                }
                BackupJob seen = other.domain().currentBackup().orElseThrow();
                assertThat(seen.id()).isEqualTo(job.id());
                JobInfo done = seen.awaitCompletion(Duration.ofSeconds(60));
                assertThat(done.state()).isEqualTo(JobState.COMPLETED);
                waitFor(() -> events.stream().anyMatch(ev -> ev.type() == JobEvent.Type.JOB_COMPLETED));
                Thread.sleep(1200); // two more ticks of the pump: nothing may follow the completion
            }
            assertThat(events).filteredOn(ev -> ev.type() == JobEvent.Type.JOB_COMPLETED).hasSize(1);
            assertThat(events.get(events.size() - 1).type()).isEqualTo(JobEvent.Type.JOB_COMPLETED);
            assertThat(events).filteredOn(ev -> ev.type() == JobEvent.Type.DISK_COMPLETED)
                    .extracting(ev -> ev.disk().orElseThrow()).containsExactlyInAnyOrder("vda", "vdb");
            assertThat(events.get(0).type()).isEqualTo(JobEvent.Type.PROGRESS);
            assertThat(other.domain().backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
        }
        f.flush();
        assertThat(f.identical(f.vda, vdaT)).isTrue();
        assertThat(f.identical(f.vdb, vdbT)).isTrue();
        f.assertNoLeftoversInQemu();
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
