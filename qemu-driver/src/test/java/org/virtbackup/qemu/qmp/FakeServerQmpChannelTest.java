// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import java.nio.file.Path;
import org.virtbackup.qemu.testing.Dispatchers;
import org.virtbackup.qemu.testing.FakeQmpServer;

/** The channel contract against {@link FakeQmpServer}. */
class FakeServerQmpChannelTest extends QmpChannelContractTest {
    private FakeQmpServer server;

    @Override
    Path startServer(Path dir) {
        server = FakeQmpServer.start(dir.resolve("qmp.sock"), Dispatchers.qemuLike());
        return server.socket();
    }

    @Override
    void stopServer() {
        server.close();
    }
}
