// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.qemu.testing.Dispatchers;
import org.virtbackup.qemu.testing.FakeQmpServer;
import org.virtbackup.qemu.testing.FaultPolicy;

/** One test per {@link FaultPolicy}, plus the other protocol faults, against {@link FakeQmpServer}. */
@Timeout(20)
class QmpProtocolFaultTest {
    @TempDir
    Path dir;

    private FakeQmpServer server;
    private QmpChannel channel;

    @BeforeEach
    void setUp() {
        server = FakeQmpServer.start(dir.resolve("qmp.sock"), Dispatchers.qemuLike());
        channel = QmpChannel.unix(server.socket());
        channel.connect();
    }

    @AfterEach
    void tearDown() {
        channel.close();
        server.close();
    }

    private CompletableFuture<Object> executeInBackground(String command) {
        return CompletableFuture.supplyAsync(() -> channel.execute(QmpCommand.of(command)));
    }

    private static Throwable failureOf(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(10, TimeUnit.SECONDS);
            throw new AssertionError("the call should have failed");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the call neither returned nor failed", e);
        }
    }

    @Test
    void idsComeFromAJvmWideCounterWithAFixedPrefix() {
        channel.execute(QmpCommand.of("query-status"));
        channel.execute(QmpCommand.of("query-status"));
        List<String> ids = server.received().stream().map(m -> m.path("id").asText()).toList();
        assertThat(ids).hasSize(3).allMatch(id -> id.matches("vb-[0-9]+")); // qmp_capabilities, then ours
        // increasing; not always consecutive, as other channels of the JVM draw from the same counter
        assertThat(ids.stream().map(id -> Long.parseLong(id.substring(3))).toList()).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void disconnectAfterCommandFailsEveryPendingCallAndTellsEveryListener() throws Exception {
        QmpEventListener a = channel.listen("STOP");
        QmpEventListener b = channel.listen();
        server.failNext("query-version", FaultPolicy.NO_REPLY);
        CompletableFuture<Object> first = executeInBackground("query-version");
        while (!server.receivedCommands().contains("query-version")) {
            Thread.sleep(5);
        }
        server.failNext("query-status", FaultPolicy.DISCONNECT_AFTER_COMMAND);
        CompletableFuture<Object> second = executeInBackground("query-status");

        assertThat(failureOf(first)).isInstanceOf(QmpDisconnectedException.class)
                .hasMessageContaining("'query-version'");
        assertThat(failureOf(second)).isInstanceOf(QmpDisconnectedException.class)
                .hasMessageContaining("'query-status'");
        assertThatThrownBy(() -> a.poll(Duration.ofSeconds(5))).isInstanceOf(QmpDisconnectedException.class);
        assertThatThrownBy(() -> b.poll(Duration.ofSeconds(5))).isInstanceOf(QmpDisconnectedException.class);
        assertThat(channel.state()).isEqualTo(QmpRunState.CLOSED);
        assertThat(new QmpDisconnectedException("x", null).toVirtBackupException().code())
                .isEqualTo(ErrorCode.OPERATION_FAILED);
    }

    @Test
    void noReplyTimesOutTheCallAndTheChannelStaysUsable() {
        server.failNext("query-status", FaultPolicy.NO_REPLY);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> channel.execute(QmpCommand.of("query-status"), Duration.ofMillis(200)))
                .isInstanceOf(QmpTimeoutException.class)
                .hasMessageContaining("no reply to qemu command 'query-status'");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(150), Duration.ofSeconds(5));
        assertThat(channel.state()).isEqualTo(QmpRunState.RUNNING);
        assertThat(channel.execute(QmpCommand.of("query-status")).has("status")).isTrue();
    }

    @Test
    void aReplyWithAnUnknownIdIsDropped() {
        server.sendRaw("{\"return\": {}, \"id\": \"vb-999\"}");
        server.sendRaw("{\"return\": {}}");
        assertThat(channel.execute(QmpCommand.of("query-status")).has("status")).isTrue();
        assertThat(channel.state()).isEqualTo(QmpRunState.RUNNING);
    }

    @Test
    void anErrorWithoutIdIsFatal() throws Exception {
        try (QmpEventListener l = channel.listen()) {
            server.failNext("query-status", FaultPolicy.ERROR_WITHOUT_ID);
            Throwable t = failureOf(executeInBackground("query-status"));
            assertThat(t).isInstanceOf(QmpDisconnectedException.class);
            assertThat(t.getCause()).isInstanceOf(QmpProtocolException.class)
                    .hasMessageContaining("error without id");
            assertThat(channel.state()).isEqualTo(QmpRunState.CLOSED);
            assertThatThrownBy(() -> l.poll(Duration.ofSeconds(5))).isInstanceOf(QmpDisconnectedException.class)
                    .hasCauseInstanceOf(QmpProtocolException.class);
        }
    }

    @Test
    void anEventBeforeTheReturnIsRoutedNotLost() {
        try (QmpEventListener l = channel.listen("FAKE_EVENT")) {
            server.failNext("query-status", FaultPolicy.EVENT_BEFORE_RETURN);
            assertThat(channel.execute(QmpCommand.of("query-status")).has("status")).isTrue();
            assertThat(l.poll(Duration.ZERO)).get().extracting(e -> e.dataText("command")).isEqualTo("query-status");
        }
    }

    @Test
    void aGarbageLineIsSkipped() {
        server.failNext("query-status", FaultPolicy.GARBAGE_LINE);
        assertThat(channel.execute(QmpCommand.of("query-status")).has("status")).isTrue();
        assertThat(channel.state()).isEqualTo(QmpRunState.RUNNING);
    }

    @Test
    void eventsFilteredOnDataReachOnlyTheirListener() {
        try (QmpEventListener j1 = channel.listen(java.util.Set.of("JOB_STATUS_CHANGE"),
                d -> d.path("id").asText().equals("j1"));
                QmpEventListener broken = channel.listen(java.util.Set.of(), d -> {
                    throw new IllegalStateException("a broken filter");
                })) {
            var data = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            server.emit("JOB_STATUS_CHANGE", data.put("id", "j2").put("status", "running"));
            server.emit("JOB_STATUS_CHANGE", data.put("id", "j1").put("status", "running"));
            QmpEvent e = j1.next(Instant.now().plusSeconds(5));
            assertThat(e.dataText("id")).isEqualTo("j1");
            assertThat(j1.history()).hasSize(1);
            assertThat(broken.drain()).isEmpty();
        }
    }

    @Test
    void aPeerThatIsNotQmpIsAProtocolError() throws IOException {
        Path sock = dir.resolve("notqmp.sock");
        try (AFUNIXServerSocket s = AFUNIXServerSocket.bindOn(AFUNIXSocketAddress.of(sock), true)) {
            Thread t = new Thread(() -> {
                try (AFUNIXSocket c = s.accept(); OutputStream out = c.getOutputStream()) {
                    out.write("SSH-2.0-OpenSSH\r\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    Thread.sleep(500);
                } catch (IOException | InterruptedException ignored) {
                    // the client is gone
                }
            });
            t.start();
            QmpChannel ch = QmpChannel.unix(sock);
            assertThatThrownBy(ch::connect).isInstanceOf(QmpProtocolException.class)
                    .hasMessageContaining("is this a qmp monitor?");
            assertThat(ch.state()).isEqualTo(QmpRunState.CLOSED);
        }
    }

    @Test
    void aMissingSocketSaysHowToCreateIt() {
        QmpChannel ch = QmpChannel.unix(dir.resolve("nothing.sock"));
        assertThatThrownBy(ch::connect).isInstanceOf(QmpConnectException.class)
                .hasMessageContaining("does not exist").hasMessageContaining("server=on,wait=off");
    }

    @Test
    void aStaleSocketIsRefused() throws IOException {
        Path sock = dir.resolve("stale.sock");
        AFUNIXServerSocket.bindOn(AFUNIXSocketAddress.of(sock), true).close();
        if (!java.nio.file.Files.exists(sock)) {
            // junixsocket removed the file on close; recreate a socket file nobody listens on
            try (AFUNIXServerSocket s = AFUNIXServerSocket.newInstance()) {
                s.setDeleteOnClose(false);
                s.bind(AFUNIXSocketAddress.of(sock));
            }
        }
        QmpChannel ch = QmpChannel.unix(sock);
        assertThatThrownBy(ch::connect).isInstanceOf(QmpConnectException.class).hasMessageContaining("refused");
    }

    @Test
    void queuedEventsOutliveTheConnectionAndHistoryOutlivesClose() {
        QmpChannel idle = QmpChannel.unix(server.socket());
        assertThat(idle.listen("STOP")).isNotNull(); // listeners may be opened before connecting
        idle.close();
        try (QmpEventListener l = channel.listen("STOP", "RESUME")) {
            channel.execute(QmpCommand.of("stop"));
            channel.execute(QmpCommand.of("cont"));
            server.failNext("query-status", FaultPolicy.DISCONNECT_AFTER_COMMAND);
            assertThatThrownBy(() -> channel.execute(QmpCommand.of("query-status")))
                    .isInstanceOf(QmpDisconnectedException.class);
            assertThat(l.poll(Duration.ZERO)).get().extracting(QmpEvent::name).isEqualTo("STOP");
            assertThat(l.drain()).extracting(QmpEvent::name).containsExactly("RESUME");
            assertThatThrownBy(() -> l.next(Instant.now().plusSeconds(1)))
                    .isInstanceOf(QmpDisconnectedException.class);
            assertThatThrownBy(() -> l.next(Instant.now().plusSeconds(1)))
                    .isInstanceOf(QmpDisconnectedException.class); // keeps saying so
            l.close();
            assertThat(l.history()).extracting(QmpEvent::name).containsExactly("STOP", "RESUME");
        }
    }
}
