// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpProtocolException;
import org.virtbackup.qemu.qmp.QmpRunState;
import org.virtbackup.qemu.testing.Dispatchers;
import org.virtbackup.qemu.testing.FakeQmpServer;

/** The defects {@link QmpFuzzTest} found, one test each, named after what was fixed. */
@Timeout(30)
class QmpFuzzRegressionTest {
    @TempDir
    Path dir;

    @Test
    void aGreetingThatIsNotQmpClosesTheSocket() throws Exception {
        Path sock = dir.resolve("g.sock");
        try (RawQmpPeer peer = new RawQmpPeer(sock, List.of(RawQmpPeer.Step.send("[]\r\n")))) {
            QmpChannel channel = QmpChannel.unix(sock, Duration.ofSeconds(2), Duration.ofSeconds(2));
            assertThatThrownBy(channel::connect).isInstanceOf(QmpProtocolException.class);
            channel.close();
            assertThat(peer.clientHungUp()).as("the peer saw the client hang up").isTrue();
        }
    }

    @Test
    void closeAfterTheReaderLostTheConnectionReturnsOnlyOnceTheReaderThreadIsGone() throws Exception {
        Path sock = dir.resolve("c.sock");
        for (int i = 0; i < 20; i++) {
            try (FakeQmpServer server = FakeQmpServer.start(sock, Dispatchers.qemuLike())) {
                QmpChannel channel = QmpChannel.unix(sock);
                channel.connect();
                server.sendRaw("{\"error\":{\"class\":\"GenericError\",\"desc\":\"no id\"}}");
                while (channel.state() != QmpRunState.CLOSED) {
                    Thread.sleep(1);
                }
                channel.close();
                assertThat(QmpFuzzTest.readerThreads("c.sock")).isZero();
            }
        }
    }
}
