// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * The behaviour every QMP server must see from {@link QmpChannel}, run against the fake server and against a
 * real QEMU (junixsocket's one-test-body pattern, STYLE.md point 13). Uses only commands both answer alike:
 * {@code query-status}, {@code query-version}, {@code stop}/{@code cont} (STOP/RESUME before the return; a
 * {@code -machine none} QEMU starts running),
 * {@code quit}, and an unknown command.
 */
@Timeout(30)
abstract class QmpChannelContractTest {
    @TempDir
    Path dir;

    private QmpChannel channel;

    /** Starts the server; returns its socket. */
    abstract Path startServer(Path dir);

    /** Stops the server (after the test's channel is closed). */
    abstract void stopServer();

    @BeforeEach
    void setUp() {
        channel = QmpChannel.unix(startServer(dir));
    }

    @AfterEach
    void tearDown() {
        channel.close();
        stopServer();
    }

    private Path socket() {
        return dir.resolve("qmp.sock");
    }

    @Test
    void connectReturnsTheGreetingAndNegotiates() {
        assertThat(channel.state()).isEqualTo(QmpRunState.IDLE);
        QmpGreeting g = channel.connect();
        assertThat(g.version()).startsWith("7.2.");
        assertThat(g.atLeast(7, 2)).isTrue();
        assertThat(channel.state()).isEqualTo(QmpRunState.RUNNING);
        assertThat(channel.execute(QmpCommand.of("query-status")).path("status").asText()).isNotEmpty();
    }

    @Test
    void anErrorKeepsItsClassTheCommandAndTheReply() {
        channel.connect();
        QmpCommand cmd = QmpCommand.of("x-virtbackup-no-such-command");
        QmpErrorException e = org.junit.jupiter.api.Assertions.assertThrows(QmpErrorException.class,
                () -> channel.execute(cmd));
        assertThat(e.isClass("CommandNotFound")).isTrue();
        assertThat(e.isClass("GenericError")).isFalse();
        assertThat(e.command()).isEqualTo(cmd);
        assertThat(e.reply().path("error").path("desc").asText()).contains("x-virtbackup-no-such-command");
        VirtBackupException pub = e.toVirtBackupException();
        assertThat(pub.code()).isEqualTo(ErrorCode.INTERNAL_ERROR);
        assertThat(pub.domain()).isEqualTo(ErrorDomain.QEMU);
        assertThat(pub.getMessage()).isEqualTo("unable to execute QEMU command 'x-virtbackup-no-such-command': "
                + e.desc());
        assertThat(pub.getCause()).isSameAs(e);
        // the channel survives an error reply
        assertThat(channel.execute(QmpCommand.of("query-version")).path("qemu").path("major").asInt()).isEqualTo(7);
    }

    @Test
    void anEventSentBeforeTheReturnIsQueuedWhenExecuteReturns() {
        channel.connect();
        try (QmpEventListener l = channel.listen("RESUME", "STOP")) {
            channel.execute(QmpCommand.of("stop"));
            assertThat(l.poll(Duration.ZERO)).get().extracting(QmpEvent::name).isEqualTo("STOP");
            channel.execute(QmpCommand.of("cont"));
            assertThat(l.poll(Duration.ZERO)).get().extracting(QmpEvent::name).isEqualTo("RESUME");
            assertThat(l.history()).extracting(QmpEvent::name).containsExactly("STOP", "RESUME");
        }
    }

    @Test
    void aListenerSeesOnlyTheEventsItAskedFor() {
        channel.connect();
        try (QmpEventListener stops = channel.listen("STOP"); QmpEventListener all = channel.listen()) {
            channel.execute(QmpCommand.of("stop"));
            channel.execute(QmpCommand.of("cont"));
            assertThat(stops.drain()).extracting(QmpEvent::name).containsExactly("STOP");
            assertThat(all.drain()).extracting(QmpEvent::name).containsExactly("STOP", "RESUME");
        }
    }

    @Test
    void callsInTheWrongStateNameBothStates() {
        assertThatThrownBy(() -> channel.execute(QmpCommand.of("query-status")))
                .isInstanceOf(QmpStateException.class)
                .hasMessage("cannot execute 'query-status': qmp channel is IDLE, required RUNNING");
        channel.connect();
        assertThatThrownBy(channel::connect).isInstanceOf(QmpStateException.class)
                .hasMessageContaining("RUNNING").hasMessageContaining("required IDLE");
        channel.close();
        assertThat(channel.state()).isEqualTo(QmpRunState.CLOSED);
        assertThatThrownBy(() -> channel.execute(QmpCommand.of("query-status")))
                .isInstanceOf(QmpStateException.class).hasMessageContaining("is CLOSED, required RUNNING");
        assertThatThrownBy(() -> channel.listen("STOP")).isInstanceOf(QmpStateException.class);
    }

    @Test
    void concurrentCallsAreMatchedToTheirReplies() throws Exception {
        channel.connect();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                boolean status = i % 2 == 0;
                results.add(pool.submit(() -> {
                    JsonNode r = channel.execute(QmpCommand.of(status ? "query-status" : "query-version"));
                    return status ? r.has("status") : r.has("qemu");
                }));
            }
            for (Future<Boolean> f : results) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void quitSendsShutdownThenTheConnectionEnds() {
        channel.connect();
        try (QmpEventListener l = channel.listen("SHUTDOWN")) {
            try {
                channel.execute(QmpCommand.of("quit"));
            } catch (QmpDisconnectedException e) {
                // QEMU may hang up before its return reaches us
            }
            QmpEvent shutdown = l.next(Instant.now().plusSeconds(5));
            assertThat(shutdown.dataText("reason")).isEqualTo("host-qmp-quit");
            assertThatThrownBy(() -> l.next(Instant.now().plusSeconds(5)))
                    .isInstanceOf(QmpDisconnectedException.class);
            assertThat(l.isDisconnected()).isTrue();
        }
        assertThat(channel.state()).isEqualTo(QmpRunState.CLOSED);
    }

    @Test
    void aSecondClientIsToldTheSocketIsBusy() {
        channel.connect();
        try (QmpChannel second = QmpChannel.unix(socket(), Duration.ofMillis(300), Duration.ofSeconds(5))) {
            QmpConnectException e = org.junit.jupiter.api.Assertions.assertThrows(QmpConnectException.class,
                    second::connect);
            assertThat(e.busy()).isTrue();
            assertThat(e.getMessage()).contains("one client at a time").contains("second '-qmp unix:");
            assertThat(e.toVirtBackupException().code()).isEqualTo(ErrorCode.RESOURCE_BUSY);
            assertThat(second.state()).isEqualTo(QmpRunState.CLOSED);
        }
        // the first client is unaffected
        assertThat(channel.execute(QmpCommand.of("query-status")).has("status")).isTrue();
    }

    @Test
    void theSocketServesTheNextClientAfterTheFirstLeaves() {
        channel.connect();
        channel.close();
        try (QmpChannel next = QmpChannel.unix(socket())) {
            next.connect();
            assertThat(next.execute(QmpCommand.of("query-status")).has("status")).isTrue();
        }
    }
}
