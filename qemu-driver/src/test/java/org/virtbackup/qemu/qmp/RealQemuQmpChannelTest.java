// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import java.nio.file.Path;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.MachineType;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * The channel contract against a real QEMU, {@code -machine none} (no CPUs, so {@code cont} runs nothing).
 */
@RequiresQemu
class RealQemuQmpChannelTest extends QmpChannelContractTest {
    private EmbeddedQemu qemu;

    @Override
    Path startServer(Path dir) {
        qemu = EmbeddedQemu.builder().machine(MachineType.NONE).workDir(dir).start();
        return qemu.qmpSocket();
    }

    @Override
    void stopServer() {
        qemu.close();
    }
}
