// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@code qemu-storage-daemon} command line; pure. And how its end is seen. */
class StorageDaemonTest {

    @Test
    @Timeout(30)
    void aZombieHasExitedThoughProcessHandleCountsItAlive() throws Exception {
        // 'sleep 0' exits at once and its parent, the exec'd 'sleep 10', never reaps it: a zombie, as an exited
        // daemon is until a slow init reaps it
        Process parent = new ProcessBuilder("sh", "-c", "sleep 0 & echo $!; exec sleep 10").start();
        try {
            long zombie = Long.parseLong(new java.io.BufferedReader(new java.io.InputStreamReader(
                    parent.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII)).readLine().strip());
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (StorageDaemon.running(zombie) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(StorageDaemon.running(zombie)).as("exited").isFalse();
            assertThat(ProcessHandle.of(zombie).map(ProcessHandle::isAlive)).as("what the JDK says of a zombie")
                    .contains(true);
            assertThat(StorageDaemon.running(parent.pid())).isTrue();
            assertThat(StorageDaemon.running(Long.MAX_VALUE)).isFalse();
        } finally {
            parent.destroyForcibly();
            parent.waitFor();
        }
    }

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

    @Test
    void aBlockDeviceIsOpenedWithHostDevice() {
        List<String> argv = StorageDaemon.commandLine("qsd", List.of(new QemuDisk(Path.of("/dev/loop7"), "vdc",
                ImageFormat.QCOW2, true, true)), StorageDaemon.RunFiles.in(Path.of("/r")));
        assertThat(argv.get(2)).isEqualTo("{\"driver\":\"host_device\",\"node-name\":\"vdc-storage\","
                + "\"filename\":\"/dev/loop7\",\"auto-read-only\":true,\"discard\":\"unmap\",\"read-only\":true}");
        assertThat(new QemuDisk(Path.of("/dev/loop7"), "vdc", ImageFormat.QCOW2, false, true).asReadOnly().blockDevice())
                .isTrue();
    }
}
