// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.virtbackup.qemu.block.BlockDisk;
import org.virtbackup.qemu.block.BlockGraph;
import org.virtbackup.qemu.plan.Qmp;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpException;
import org.virtbackup.xml.DomainXml;
import org.virtbackup.xml.model.DiskDevice;
import org.virtbackup.xml.model.DiskType;
import org.virtbackup.xml.model.DomainDef;
import org.virtbackup.xml.model.DomainDiskDef;

/**
 * What QEMU says about the domain's disks at one moment: the raw replies, the block graph, and the same disks
 * as a libvirt {@code <domain>} (for alignment, and for embedding in checkpoint metadata).
 *
 * @param queryBlock the {@code query-block} return value
 * @param namedNodes the {@code query-named-block-nodes} return value
 * @param graph the parsed graph
 * @param domain the disks as libvirt domain XML: the caller's, or generated with each disk named after its
 *     device id and its source the top image
 * @param diskNames QEMU's disk names → the domain's target names (empty without a caller's domain)
 */
record DomainView(JsonNode queryBlock, JsonNode namedNodes, BlockGraph graph, DomainDef domain,
        Map<String, String> diskNames) {

    /**
     * Reads the disks now. With the caller's libvirt {@code <domain>}, disks are renamed to its target names
     * ({@link DiskNames}) and that domain is the one alignment reads and checkpoints embed.
     */
    static DomainView read(QmpChannel qmp, String domainName, Optional<DomainDef> userDomain) {
        return read(qmp, domainName, userDomain, Host.QEMU);
    }

    /**
     * Reads the disks now from {@code host}; a {@link Host#STORAGE_DAEMON} has no {@code query-block}, its disks
     * are those of the caller's domain ({@link StorageDaemonBlocks}).
     */
    static DomainView read(QmpChannel qmp, String domainName, Optional<DomainDef> userDomain, Host host) {
        try {
            boolean daemon = host == Host.STORAGE_DAEMON;
            JsonNode queried = daemon ? null : qmp.execute(Qmp.queryBlock());
            JsonNode nodes = qmp.execute(Qmp.queryNamedBlockNodes());
            JsonNode blocks = daemon ? StorageDaemonBlocks.queryBlock(nodes, userDomain.orElseThrow()) : queried;
            BlockGraph graph = BlockGraph.from(blocks, nodes);
            if (userDomain.isEmpty()) {
                return new DomainView(blocks, nodes, graph, domainOf(graph, domainName), Map.of());
            }
            Map<String, String> names = DiskNames.match(graph, userDomain.get());
            return new DomainView(blocks, nodes, graph.withDiskNames(names), userDomain.get(), names);
        } catch (QmpException e) {
            throw e.toVirtBackupException();
        }
    }

    /** The view a job was started with, from its record: the same replies and the same renaming. */
    static DomainView of(JsonNode queryBlock, JsonNode namedNodes, String domainName, Map<String, String> names) {
        BlockGraph graph = BlockGraph.from(queryBlock, namedNodes).withDiskNames(names);
        return new DomainView(queryBlock, namedNodes, graph, domainOf(graph, domainName), names);
    }

    /**
     * The graph as the {@code <domain>} subset libvirt's alignment reads: each disk named after its device id,
     * its source the top image; a drive without media is a read-only CD-ROM.
     */
    static DomainDef domainOf(BlockGraph graph, String name) {
        List<DomainDiskDef> disks = graph.disks().stream().map(d -> d.hasMedia()
                ? new DomainDiskDef(DiskType.FILE, DiskDevice.DISK, Optional.of(d.top().driver()),
                        Optional.of(d.top().filename()), d.name(), Optional.empty(), Optional.empty(), d.top().readOnly(),
                        false)
                : new DomainDiskDef(DiskType.FILE, DiskDevice.CDROM, Optional.empty(), Optional.empty(), d.name(),
                        Optional.empty(), Optional.empty(), true, false)).toList();
        return DomainXml.of(name, disks);
    }
}
