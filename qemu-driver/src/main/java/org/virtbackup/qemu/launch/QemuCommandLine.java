// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.launch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the {@code qemu-system-x86_64} argument list; pure, so it is tested without QEMU.
 *
 * <p>Disks follow libvirt's layout (qemu-7.2-qmp-notes.md §6): a file node with {@code auto-read-only} and a
 * format node with {@code backing: null}, both with {@code discard: unmap} because the default
 * {@code ignore} silently drops guest discards (gotcha 5). {@code -blockdev} is given as JSON so image paths
 * need no comma escaping.
 */
final class QemuCommandLine {
    private static final ObjectMapper JSON = new ObjectMapper();

    private QemuCommandLine() {
    }

    static List<String> build(String binary, MachineType machine, Path qmpSocket, Path controlSocket,
            List<QemuDisk> disks, List<String> extraArgs) {
        List<String> argv = new ArrayList<>(List.of(binary, "-nodefaults", "-no-user-config", "-display", "none",
                "-machine", machine.machineArg()));
        if (machine == MachineType.Q35_TCG) {
            argv.add("-S"); // never run guest code: there is none, and a paused guest keeps TCG idle
        }
        argv.addAll(List.of("-qmp", "unix:" + qmpSocket + ",server=on,wait=off"));
        // the launcher's own monitor: a QMP socket serves one client at a time (SPEC §2), and guest writes
        // and quit must work while a test holds the public one
        argv.addAll(List.of("-qmp", "unix:" + controlSocket + ",server=on,wait=off"));
        for (QemuDisk d : disks) {
            argv.addAll(List.of("-blockdev", storageNode(d).toString(), "-blockdev", formatNode(d).toString()));
            if (machine == MachineType.Q35_TCG) {
                argv.addAll(List.of("-device", "virtio-blk-pci,drive=" + d.formatNode() + ",id=" + d.deviceId()));
            }
        }
        argv.addAll(extraArgs);
        return List.copyOf(argv);
    }

    static ObjectNode storageNode(QemuDisk d) {
        ObjectNode n = JSON.createObjectNode();
        n.put("driver", d.blockDevice() ? "host_device" : "file").put("node-name", d.storageNode())
                .put("filename", d.image().toString())
                .put("auto-read-only", true).put("discard", "unmap");
        if (d.readOnly()) {
            n.put("read-only", true);
        }
        return n;
    }

    static ObjectNode formatNode(QemuDisk d) {
        ObjectNode n = JSON.createObjectNode();
        n.put("driver", d.format().driver()).put("node-name", d.formatNode()).put("file", d.storageNode())
                .put("read-only", d.readOnly()).put("discard", "unmap");
        if (d.format() == ImageFormat.QCOW2) {
            n.putNull("backing"); // the launcher attaches standalone images, as libvirt does
        }
        return n;
    }
}
