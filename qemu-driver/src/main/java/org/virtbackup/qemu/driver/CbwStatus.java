// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.virtbackup.qemu.plan.BackupLayout;
import org.virtbackup.qemu.plan.Qmp;
import org.virtbackup.qemu.plan.ResolvedDisk;
import org.virtbackup.qemu.qmp.QemuErrors;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.qmp.QmpErrorException;

/**
 * What a copy-before-write pull ({@code pullMethod=cbw}) has no job to report: scratch usage and whether the
 * point-in-time snapshot still holds.
 *
 * <ul>
 *   <li>{@code disk_temp_used}: the scratch storage node's {@code wr_highest_offset} ({@code query-blockstats}
 *       with {@code query-nodes}): the qcow2 scratch grows by appending clusters, so its high-water mark is the
 *       space it takes, on a file as on a block device (where {@code actual-size} says nothing; libvirt reads
 *       a block device's allocation the same way). It includes the scratch's qcow2 metadata.</li>
 *   <li>{@code disk_temp_total}: the most the filter may copy: the disk's virtual size, or for an incremental
 *       disk the dirty bytes of its temporary bitmap (only dirty clusters are copied).</li>
 *   <li>broken: with {@code on-cbw-error=break-snapshot} a failed copy (full or failing scratch) breaks the
 *       snapshot, and QEMU 7.2 emits no event and counts no failed operation for it (the filter writes to the
 *       scratch without a BlockBackend). The driver reads the snapshot itself: a read-only {@code qcow2} node
 *       opened over the snapshot-access node reads the disk's first bytes; a broken snapshot fails that read
 *       with "Could not read qcow2 header: Permission denied", a healthy one answers "Image is not in qcow2
 *       format" (or opens, when the guest disk holds a qcow2 image; the node is deleted at once either way).
 *       Only disks pulled in full are probed: an incremental disk's clean clusters are unreadable through the
 *       snapshot by design (notes §8 gotcha 11), so a failed read of offset 0 proves nothing there.</li>
 * </ul>
 */
final class CbwStatus {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** Scratch use and the disks whose snapshot broke, in layout order. */
    record Status(long used, long total, List<String> broken) {
        Optional<String> error() {
            if (broken.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of("the point-in-time snapshot of disk" + (broken.size() > 1 ? "s '" : " '")
                    + String.join("', '", broken) + "' is broken: a copy-before-write into the scratch failed "
                    + "(full or failing scratch), its exports cannot be read any more");
        }
    }

    private CbwStatus() {
    }

    static Status read(QmpChannel qmp, BackupLayout layout) {
        Map<String, Long> highest = new HashMap<>();
        for (JsonNode s : qmp.execute(new QmpCommand("query-blockstats", JSON.objectNode().put("query-nodes", true)))) {
            highest.put(s.path("node-name").asText(), s.path("stats").path("wr_highest_offset").asLong());
        }
        Map<String, Long> dirty = new HashMap<>();
        for (JsonNode n : qmp.execute(Qmp.queryNamedBlockNodes())) {
            for (JsonNode b : n.path("dirty-bitmaps")) {
                dirty.put(n.path("node-name").asText() + "/" + b.path("name").asText(), b.path("count").asLong());
            }
        }
        long used = 0;
        long total = 0;
        List<String> broken = new ArrayList<>();
        for (ResolvedDisk d : layout.disks()) {
            used += highest.getOrDefault(d.storageNode(), 0L);
            total += d.incremental().map(inc -> dirty.getOrDefault(inc.temporary().node() + "/"
                    + inc.temporary().name(), 0L)).orElse(d.sourceSize());
            if (d.incremental().isEmpty() && d.cbw().isPresent() && isBroken(qmp, d.cbw().get())) {
                broken.add(d.disk());
            }
        }
        return new Status(used, total, broken);
    }

    private static boolean isBroken(QmpChannel qmp, ResolvedDisk.Cbw c) {
        ObjectNode probe = JSON.objectNode().put("driver", "qcow2").put("node-name", c.probeNode())
                .put("read-only", true).put("file", c.snapshotNode());
        probe.putNull("backing");
        try {
            qmp.execute(new QmpCommand("blockdev-add", probe));
        } catch (QmpErrorException e) {
            return QemuErrors.isBrokenSnapshotRead(e);
        }
        qmp.execute(Qmp.blockdevDel(c.probeNode())); // the guest disk holds a qcow2 image: readable
        return false;
    }
}
