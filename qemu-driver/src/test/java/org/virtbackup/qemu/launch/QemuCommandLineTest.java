// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class QemuCommandLineTest {
    private static final Path QMP = Path.of("/w/qmp.sock");
    private static final Path CONTROL = Path.of("/w/control.sock");

    @Test
    void q35AttachesEachDiskAsLibvirtDoes() {
        List<String> argv = QemuCommandLine.build("qemu-system-x86_64", MachineType.Q35_TCG, QMP, CONTROL,
                List.of(QemuDisk.qcow2(Path.of("/img/a,b.qcow2"), "vda"), QemuDisk.raw(Path.of("/img/b.raw"), "vdb")
                        .asReadOnly()), List.of("-m", "64"));
        assertThat(argv).containsSubsequence("qemu-system-x86_64", "-nodefaults", "-display", "none", "-machine",
                "q35,accel=tcg", "-S", "-qmp", "unix:/w/qmp.sock,server=on,wait=off", "-qmp",
                "unix:/w/control.sock,server=on,wait=off",
                "-blockdev", "{\"driver\":\"file\",\"node-name\":\"vda-storage\",\"filename\":\"/img/a,b.qcow2\","
                        + "\"auto-read-only\":true,\"discard\":\"unmap\"}",
                "-blockdev", "{\"driver\":\"qcow2\",\"node-name\":\"vda-format\",\"file\":\"vda-storage\","
                        + "\"read-only\":false,\"discard\":\"unmap\",\"backing\":null}",
                "-device", "virtio-blk-pci,drive=vda-format,id=vda",
                "-blockdev", "{\"driver\":\"file\",\"node-name\":\"vdb-storage\",\"filename\":\"/img/b.raw\","
                        + "\"auto-read-only\":true,\"discard\":\"unmap\",\"read-only\":true}",
                "-blockdev", "{\"driver\":\"raw\",\"node-name\":\"vdb-format\",\"file\":\"vdb-storage\","
                        + "\"read-only\":true,\"discard\":\"unmap\"}",
                "-device", "virtio-blk-pci,drive=vdb-format,id=vdb", "-m", "64");
    }

    @Test
    void machineNoneHasNodesButNoDevicesAndRunsUnpaused() {
        List<String> argv = QemuCommandLine.build("qemu-system-x86_64", MachineType.NONE, QMP, CONTROL,
                List.of(QemuDisk.qcow2(Path.of("/img/a.qcow2"), "vda")), List.of());
        assertThat(argv).contains("none").doesNotContain("-S", "-device");
        assertThat(argv.stream().filter(a -> a.equals("-blockdev"))).hasSize(2);
    }

    @Test
    void deviceIdsAreChecked() {
        assertThatThrownBy(() -> QemuDisk.qcow2(Path.of("/x"), "1vda")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("device id '1vda'");
        assertThatThrownBy(() -> QemuDisk.qcow2(Path.of("/x"), "a".repeat(24)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(QemuDisk.qcow2(Path.of("/x"), "a".repeat(23)).storageNode()).hasSize(31);
    }
}
