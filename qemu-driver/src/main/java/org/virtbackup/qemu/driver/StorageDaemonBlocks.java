// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.launch.QemuDisk;
import org.virtbackup.xml.model.DomainDef;
import org.virtbackup.xml.model.DomainDiskDef;

/**
 * The {@code query-block} a {@code qemu-storage-daemon} cannot give (it has no devices, so its reply is
 * empty), made from its {@code query-named-block-nodes}: for each disk of the domain with media, the entry
 * {@code {"device": <target>, "inserted": <the named node entry of its format node>}}. That is the structure
 * QEMU's {@code query-block} has ({@code inserted} is a {@code BlockDeviceInfo}, as each named node is), so the
 * same graph, planner and executor serve online and offline domains. Pure.
 */
final class StorageDaemonBlocks {

    private StorageDaemonBlocks() {
    }

    /**
     * @throws VirtBackupException {@code INTERNAL_ERROR} when the daemon lacks a disk's format node
     */
    static JsonNode queryBlock(JsonNode namedNodes, DomainDef domain) {
        ArrayNode blocks = JsonNodeFactory.instance.arrayNode();
        for (DomainDiskDef d : domain.disks()) {
            if (d.isEmpty()) {
                continue;
            }
            String node = QemuDisk.formatNodeOf(d.targetDev());
            JsonNode inserted = null;
            for (JsonNode n : namedNodes) {
                if (n.path("node-name").asText().equals(node)) {
                    inserted = n;
                }
            }
            if (inserted == null) {
                throw new VirtBackupException(ErrorCode.INTERNAL_ERROR, ErrorDomain.QEMU, "qemu-storage-daemon has "
                        + "no node '" + node + "' for disk '" + d.targetDev() + "'");
            }
            blocks.addObject().put("device", d.targetDev()).set("inserted", inserted);
        }
        return blocks;
    }
}
