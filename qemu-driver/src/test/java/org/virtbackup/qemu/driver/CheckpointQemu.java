// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.Map;
import org.virtbackup.api.CheckpointCreateFlag;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.QemuDisk;
import org.virtbackup.qemu.qmp.QmpCommand;

/** Helpers for the checkpoint tests: what QEMU itself says about bitmaps, read beside the driver. */
final class CheckpointQemu {

    private CheckpointQemu() {
    }

    static DomainCheckpoint create(Domain dom, String name) {
        return dom.checkpointCreateXml("<domaincheckpoint><name>" + name + "</name></domaincheckpoint>",
                EnumSet.noneOf(CheckpointCreateFlag.class));
    }

    /** Disk id to the sorted names of the bitmaps of every layer, from query-named-block-nodes. */
    static Map<String, List<String>> bitmaps(EmbeddedQemu qemu) {
        JsonNode nodes = qemu.control(new QmpCommand("query-named-block-nodes",
                JsonNodeFactory.instance.objectNode().put("flat", true)));
        Map<String, List<String>> out = new TreeMap<>();
        for (QemuDisk d : qemu.disks()) {
            List<String> names = new ArrayList<>();
            for (JsonNode n : nodes) {
                if (n.path("node-name").asText().equals(d.formatNode())) {
                    n.path("dirty-bitmaps").forEach(b -> names.add(b.path("name").asText()));
                }
            }
            names.sort(null);
            out.put(d.deviceId(), names);
        }
        return out;
    }

    /** The same bitmaps on vda and vdb. */
    static Map<String, List<String>> both(String... names) {
        List<String> sorted = new ArrayList<>(List.of(names));
        sorted.sort(null);
        return Map.of("vda", sorted, "vdb", sorted);
    }

    /** Removes a bitmap behind the driver's back. */
    static void removeBehindOurBack(EmbeddedQemu qemu, String disk, String bitmap) {
        QemuDisk d = qemu.disks().stream().filter(x -> x.deviceId().equals(disk)).findFirst().orElseThrow();
        qemu.control(new QmpCommand("block-dirty-bitmap-remove",
                JsonNodeFactory.instance.objectNode().put("node", d.formatNode()).put("name", bitmap)));
    }

    static Set<CheckpointCreateFlag> redefine(boolean validate) {
        return validate ? EnumSet.of(CheckpointCreateFlag.REDEFINE, CheckpointCreateFlag.REDEFINE_VALIDATE)
                : EnumSet.of(CheckpointCreateFlag.REDEFINE);
    }
}
