// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.launch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpCommand;

/**
 * Guest I/O without a guest: HMP {@code qemu-io} through {@code human-monitor-command}.
 *
 * <p>On q35 the command goes to the device's BlockBackend ({@code -d /machine/peripheral/<id>/virtio-backend}),
 * so writes take the same path as guest I/O and follow the device onto a copy-before-write filter
 * (qemu-7.2-qmp-notes.md §3, §8 gotcha 3). On {@code -machine none} it goes to the format node.
 *
 * <p>HMP {@code qemu-io} returns {@code ""} on success and an error text when it cannot find its target
 * (gotcha 16). Failures of the qemu-io command itself (an I/O error, a write past the end, an unknown
 * command) are only printed on QEMU's stdout and still return {@code ""} (checked on QEMU 7.2.22); so ranges
 * are checked here, against the node's size, before sending.
 */
final class GuestIo {
    private final QmpChannel control;
    private final MachineType machine;

    GuestIo(QmpChannel control, MachineType machine) {
        this.control = control;
        this.machine = machine;
    }

    void run(QemuDisk disk, String ioCommand, long offset, long length) {
        if (disk.readOnly() && !ioCommand.equals("flush")) {
            throw new IllegalArgumentException("disk '" + disk.deviceId() + "' is attached read-only; cannot '"
                    + ioCommand + "'");
        }
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must not be negative: " + offset + ", " + length);
        }
        if (offset + length > 0) {
            long size = size(disk);
            if (offset + length > size) {
                throw new IllegalArgumentException("range " + offset + "+" + length + " is past the end of disk '"
                        + disk.deviceId() + "' (" + size + " bytes)");
            }
        }
        String target = machine == MachineType.Q35_TCG ? "-d " + disk.qomBackend() : disk.formatNode();
        String line = "qemu-io " + target + " \"" + ioCommand + "\"";
        ObjectNode args = new ObjectMapper().createObjectNode().put("command-line", line);
        JsonNode ret = control.execute(new QmpCommand("human-monitor-command", args));
        if (!ret.asText("").isBlank()) {
            throw new QemuProcessException("guest i/o '" + ioCommand + "' on disk '" + disk.deviceId()
                    + "' failed: " + ret.asText().strip());
        }
    }

    private long size(QemuDisk disk) {
        for (JsonNode node : control.execute(new QmpCommand("query-named-block-nodes",
                new ObjectMapper().createObjectNode().put("flat", true)))) {
            if (disk.formatNode().equals(node.path("node-name").asText())) {
                return node.path("image").path("virtual-size").asLong();
            }
        }
        throw new QemuProcessException("node '" + disk.formatNode() + "' of disk '" + disk.deviceId()
                + "' is gone from QEMU; was it deleted with blockdev-del?");
    }
}
