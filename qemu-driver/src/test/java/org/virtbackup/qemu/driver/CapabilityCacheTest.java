// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.qemu.qmp.QemuCapabilities;

class CapabilityCacheTest {

    @TempDir
    Path dir;

    private final AtomicInteger probes = new AtomicInteger();
    private final QemuCapabilities probed = new QemuCapabilities(true, false, true, true, false);

    private QemuCapabilities get(Path socket, String version) {
        return CapabilityCache.get(dir, socket, version, () -> {
            probes.incrementAndGet();
            return probed;
        });
    }

    @Test
    void theSameQemuIsProbedOnceAndANewOneAgain() throws Exception {
        Path socket = Files.writeString(dir.resolve("qmp.sock"), "");
        assertThat(get(socket, "7.2.22")).isEqualTo(probed);
        assertThat(get(socket, "7.2.22")).isEqualTo(probed);
        assertThat(probes).hasValue(1);
        assertThat(dir.resolve("qemu-capabilities.json")).exists();

        get(socket, "8.0.0");
        assertThat(probes).as("another QEMU version").hasValue(2);

        Files.delete(socket);
        Thread.sleep(5);
        Files.writeString(socket, "");
        get(socket, "8.0.0");
        assertThat(probes).as("a restarted QEMU makes a new socket").hasValue(3);
    }

    @Test
    void aMissingSocketOrAGarbledCacheMeansProbing() throws Exception {
        get(dir.resolve("missing.sock"), "7.2.22");
        get(dir.resolve("missing.sock"), "7.2.22");
        assertThat(probes).hasValue(2);
        Path socket = Files.writeString(dir.resolve("qmp.sock"), "");
        Files.writeString(dir.resolve("qemu-capabilities.json"), "{not json");
        assertThat(get(socket, "7.2.22")).isEqualTo(probed);
        assertThat(probes).hasValue(3);
    }
}
