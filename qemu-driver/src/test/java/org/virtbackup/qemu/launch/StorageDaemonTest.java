// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code qemu-storage-daemon} command line; pure. */
class StorageDaemonTest {

    @Test
    void disksGetTheLaunchersNodeNamesAndTheMonitorItsRunDirectory() {
        List<String> argv = StorageDaemon.commandLine("qsd", List.of(QemuDisk.qcow2(Path.of("/i/vda.qcow2"), "vda"),
                QemuDisk.raw(Path.of("/i/vdb.raw"), "vdb").asReadOnly()), StorageDaemon.RunFiles.in(Path.of("/r,1")));
        assertThat(argv).containsExactly("qsd",
                "--blockdev", "{\"driver\":\"file\",\"node-name\":\"vda-storage\",\"filename\":\"/i/vda.qcow2\","
                        + "\"auto-read-only\":true,\"discard\":\"unmap\"}",
                "--blockdev", "{\"driver\":\"qcow2\",\"node-name\":\"vda-format\",\"file\":\"vda-storage\","
                        + "\"read-only\":false,\"discard\":\"unmap\"}",
                "--blockdev", "{\"driver\":\"file\",\"node-name\":\"vdb-storage\",\"filename\":\"/i/vdb.raw\","
                        + "\"auto-read-only\":true,\"discard\":\"unmap\",\"read-only\":true}",
                "--blockdev", "{\"driver\":\"raw\",\"node-name\":\"vdb-format\",\"file\":\"vdb-storage\","
                        + "\"read-only\":true,\"discard\":\"unmap\"}",
                // a comma in a path is doubled, QEMU's option escaping
                "--chardev", "socket,id=vb-monitor,path=/r,,1/qmp.sock,server=on,wait=off",
                "--monitor", "chardev=vb-monitor", "--pidfile", "/r,1/qsd.pid", "--daemonize");
    }
}
