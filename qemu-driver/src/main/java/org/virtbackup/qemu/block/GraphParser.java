// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.block;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/** Turns the {@code query-block} and {@code query-named-block-nodes} replies into a {@link BlockGraph}. */
final class GraphParser {
    private static final String PERIPHERAL = "/machine/peripheral/";
    private static final String COPY_BEFORE_WRITE = "copy-before-write";

    private final Map<String, BlockLayer> nodes = new LinkedHashMap<>();

    private GraphParser() {
    }

    static BlockGraph parse(JsonNode queryBlock, JsonNode namedNodes) {
        requireArray(queryBlock, "query-block");
        requireArray(namedNodes, "query-named-block-nodes");
        GraphParser p = new GraphParser();
        for (JsonNode n : namedNodes) {
            BlockLayer layer = BlockLayer.parse(n);
            p.nodes.put(layer.nodeName(), layer);
        }
        p.resolveFileNodes();
        List<BlockDisk> disks = new ArrayList<>();
        for (JsonNode b : queryBlock) {
            BlockDisk disk = p.disk(b);
            if (disks.stream().anyMatch(d -> d.name().equals(disk.name()))) {
                throw malformed("two disks are named '" + disk.name() + "'");
            }
            disks.add(disk);
        }
        return new BlockGraph(disks, p.nodes);
    }

    /**
     * Sets each format node's {@link BlockLayer#fileNode()}: the one protocol node reading the same file. When
     * none or several do (one file opened twice, a filter in between), it stays unknown.
     */
    private void resolveFileNodes() {
        nodes.replaceAll((name, layer) -> {
            if (BlockLayer.PROTOCOL_DRIVERS.contains(layer.driver())) {
                return layer;
            }
            List<BlockLayer> children = nodes.values().stream()
                    .filter(n -> BlockLayer.PROTOCOL_DRIVERS.contains(n.driver()))
                    .filter(n -> n.filename().equals(layer.filename()))
                    .toList();
            return children.size() == 1 ? layer.withFileNode(children.get(0).nodeName()) : layer;
        });
    }

    private BlockDisk disk(JsonNode b) {
        Optional<String> device = nonEmpty(b.path("device").asText(""));
        Optional<String> qdev = nonEmpty(b.path("qdev").asText(""));
        String name = device.or(() -> qdev.map(GraphParser::deviceId))
                .orElseThrow(() -> malformed("a 'query-block' entry has neither 'device' nor 'qdev'"));
        JsonNode inserted = b.path("inserted");
        List<BlockLayer> chain = inserted.isObject() ? chain(name, inserted) : List.of();
        return new BlockDisk(name, device, qdev, chain);
    }

    /** {@code /machine/peripheral/vda/virtio-backend} → {@code vda}; other paths are kept whole. */
    static String deviceId(String qdev) {
        if (!qdev.startsWith(PERIPHERAL)) {
            return qdev;
        }
        String rest = qdev.substring(PERIPHERAL.length());
        int slash = rest.indexOf('/');
        return slash < 0 ? rest : rest.substring(0, slash);
    }

    private List<BlockLayer> chain(String disk, JsonNode inserted) {
        String topName = inserted.path("node-name").asText();
        List<BlockLayer> chain = new ArrayList<>();
        chain.add(nodes.computeIfAbsent(topName, k -> BlockLayer.parse(inserted)));
        for (JsonNode image = inserted.path("image").path("backing-image"); image.isObject();
                image = image.path("backing-image")) {
            chain.add(backingNode(disk, image, chain));
        }
        // While a backup runs, its copy-before-write filter (the job's implicit one, or a cbw pull's) sits
        // between the device and the disk's image; query-block shows the image below it as its backing. The
        // disk's layers, and the bitmaps of its checkpoints, start below the filter.
        while (chain.size() > 1 && chain.get(0).driver().equals(COPY_BEFORE_WRITE)) {
            chain.remove(0);
        }
        return chain;
    }

    /**
     * The named node of an opened backing image: same filename, same format driver, not already in this
     * chain. When several nodes qualify (one image opened twice) the first in QEMU's order wins.
     */
    private BlockLayer backingNode(String disk, JsonNode image, List<BlockLayer> chainSoFar) {
        String filename = image.path("filename").asText("");
        String format = image.path("format").asText("");
        return nodes.values().stream()
                .filter(n -> n.filename().equals(filename) && n.driver().equals(format))
                .filter(n -> !chainSoFar.contains(n))
                .findFirst()
                .orElseThrow(() -> malformed("no named node for backing image '" + filename + "' (" + format
                        + ") of disk '" + disk + "'"));
    }

    private static Optional<String> nonEmpty(String s) {
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    private static void requireArray(JsonNode n, String command) {
        if (!n.isArray()) {
            throw malformed("reply of '" + command + "' is not an array");
        }
    }

    private static VirtBackupException malformed(String what) {
        return new VirtBackupException(ErrorCode.INTERNAL_ERROR, ErrorDomain.QEMU,
                "unexpected block graph from QEMU: " + what);
    }
}
