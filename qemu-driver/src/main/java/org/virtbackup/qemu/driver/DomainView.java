// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import com.fasterxml.jackson.databind.JsonNode;
import org.virtbackup.qemu.block.BlockDisk;
import org.virtbackup.qemu.block.BlockGraph;
import org.virtbackup.qemu.block.BlockLayer;
import org.virtbackup.qemu.plan.Qmp;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpException;
import org.virtbackup.xml.DomainXml;
import org.virtbackup.xml.model.DomainDef;

/**
 * What QEMU says about the domain's disks at one moment: the raw replies, the block graph, and the same disks
 * as a libvirt {@code <domain>} (for alignment, and for embedding in checkpoint metadata).
 *
 * @param queryBlock the {@code query-block} return value
 * @param namedNodes the {@code query-named-block-nodes} return value
 * @param graph the parsed graph
 * @param domain the disks as libvirt domain XML: each disk named after its device id, its source the top image
 */
record DomainView(JsonNode queryBlock, JsonNode namedNodes, BlockGraph graph, DomainDef domain) {

    static DomainView read(QmpChannel qmp, String domainName) {
        try {
            JsonNode blocks = qmp.execute(Qmp.queryBlock());
            JsonNode nodes = qmp.execute(Qmp.queryNamedBlockNodes());
            return of(blocks, nodes, domainName);
        } catch (QmpException e) {
            throw e.toVirtBackupException();
        }
    }

    static DomainView of(JsonNode queryBlock, JsonNode namedNodes, String domainName) {
        BlockGraph graph = BlockGraph.from(queryBlock, namedNodes);
        return new DomainView(queryBlock, namedNodes, graph, DomainXml.parse(domainXml(graph, domainName)));
    }

    /** The graph as the {@code <domain>} subset libvirt's alignment reads. */
    static String domainXml(BlockGraph graph, String name) {
        StringBuilder sb = new StringBuilder("<domain type='kvm'>\n  <name>").append(esc(name)).append("</name>\n  <devices>\n");
        for (BlockDisk d : graph.disks()) {
            if (!d.hasMedia()) {
                sb.append("    <disk type='file' device='cdrom'>\n      <target dev='").append(esc(d.name()))
                        .append("'/>\n      <readonly/>\n    </disk>\n");
                continue;
            }
            BlockLayer top = d.top();
            sb.append("    <disk type='file' device='disk'>\n")
                    .append("      <driver name='qemu' type='").append(esc(top.driver())).append("'/>\n")
                    .append("      <source file='").append(esc(top.filename())).append("'/>\n")
                    .append("      <target dev='").append(esc(d.name())).append("'/>\n");
            if (top.readOnly()) {
                sb.append("      <readonly/>\n");
            }
            sb.append("    </disk>\n");
        }
        return sb.append("  </devices>\n</domain>\n").toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;")
                .replace("\"", "&quot;");
    }
}
