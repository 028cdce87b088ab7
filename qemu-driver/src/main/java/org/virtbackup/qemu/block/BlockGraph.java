// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.block;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable snapshot of QEMU's block graph: the guest disks with their backing chains, and every named
 * node. Read once, before planning; see the package documentation for how chains are found.
 */
public final class BlockGraph {
    private final List<BlockDisk> disks;
    private final Map<String, BlockLayer> nodes;

    BlockGraph(List<BlockDisk> disks, Map<String, BlockLayer> nodes) {
        this.disks = List.copyOf(disks);
        this.nodes = Map.copyOf(nodes);
    }

    /**
     * Builds the snapshot from the two replies (the {@code return} values, both JSON arrays).
     *
     * @param queryBlock the reply of {@code query-block}
     * @param namedNodes the reply of {@code query-named-block-nodes {"flat": true}}
     * @throws org.virtbackup.api.VirtBackupException {@code INTERNAL_ERROR} when a reply is not an array,
     *     two disks get the same name, or an opened backing image has no named node
     */
    public static BlockGraph from(JsonNode queryBlock, JsonNode namedNodes) {
        Objects.requireNonNull(queryBlock, "queryBlock");
        Objects.requireNonNull(namedNodes, "namedNodes");
        return GraphParser.parse(queryBlock, namedNodes);
    }

    /**
     * The same graph with disks renamed, e.g. from QEMU's device ids to a libvirt domain's target names
     * ({@code virtio-disk0} → {@code vda}); disks not in {@code names} keep theirs.
     *
     * @throws org.virtbackup.api.VirtBackupException {@code INTERNAL_ERROR} when two disks would get one name
     */
    public BlockGraph withDiskNames(Map<String, String> names) {
        List<BlockDisk> renamed = disks.stream().map(d -> new BlockDisk(names.getOrDefault(d.name(), d.name()),
                d.device(), d.qdev(), d.chain())).toList();
        if (renamed.stream().map(BlockDisk::name).distinct().count() != renamed.size()) {
            throw new org.virtbackup.api.VirtBackupException(org.virtbackup.api.ErrorCode.INTERNAL_ERROR,
                    org.virtbackup.api.ErrorDomain.QEMU, "renaming disks " + names + " gives two disks one name");
        }
        return new BlockGraph(renamed, nodes);
    }

    /** The guest disks in {@code query-block} order. */
    public List<BlockDisk> disks() {
        return disks;
    }

    /** The disk with this name. */
    public Optional<BlockDisk> disk(String name) {
        return disks.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    /** The names of all named nodes, for checks for leftovers of an earlier job. */
    public Set<String> nodeNames() {
        return nodes.keySet();
    }

    /** The node with this name. */
    public Optional<BlockLayer> node(String nodeName) {
        return Optional.ofNullable(nodes.get(nodeName));
    }

    /** The disk whose chain contains this node, if any. */
    public Optional<BlockDisk> diskOfNode(String nodeName) {
        return disks.stream()
                .filter(d -> d.chain().stream().anyMatch(l -> l.nodeName().equals(nodeName)))
                .findFirst();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockGraph g && disks.equals(g.disks) && nodes.equals(g.nodes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(disks, nodes);
    }

    @Override
    public String toString() {
        Map<String, Object> m = new LinkedHashMap<>();
        disks.forEach(d -> m.put(d.name(), d.chain().stream().map(BlockLayer::nodeName).toList()));
        return "BlockGraph" + m;
    }
}
