// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.block;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One named block node: a layer of a disk's backing chain (a format node such as {@code libvirt-2-format}),
 * or any other node {@code query-named-block-nodes} lists (protocol nodes, targets, filters).
 *
 * @param nodeName the node name ({@code #block123} for nodes QEMU named itself)
 * @param driver the block driver ({@code drv}): {@code qcow2}, {@code raw}, {@code file}, ...
 * @param filename the file the node reads ({@code file})
 * @param virtualSize the guest-visible size in bytes ({@code image.virtual-size})
 * @param clusterSize the cluster size in bytes, 0 when the format has none ({@code image.cluster-size})
 * @param readOnly the node is opened read-only ({@code ro})
 * @param bitmaps the dirty bitmaps in QEMU's order
 * @param settings the runtime options QEMU reports back, which a {@code blockdev-reopen} must repeat
 * @param fileNode the node name of the protocol child ({@code file}) of a format node, when it is known: the
 *     only {@code file} or {@code host_device} node reading the same file (QEMU does not report the edges)
 */
public record BlockLayer(String nodeName, String driver, String filename, long virtualSize, long clusterSize,
        boolean readOnly, List<BitmapInfo> bitmaps, NodeSettings settings, Optional<String> fileNode) {

    /** The protocol drivers a {@link #fileNode()} may have. */
    public static final Set<String> PROTOCOL_DRIVERS = Set.of("file", "host_device");

    public BlockLayer {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(filename, "filename");
        bitmaps = BitmapList.of(bitmaps);
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(fileNode, "fileNode");
    }

    /** A layer with default settings and no known file child. */
    public BlockLayer(String nodeName, String driver, String filename, long virtualSize, long clusterSize,
            boolean readOnly, List<BitmapInfo> bitmaps) {
        this(nodeName, driver, filename, virtualSize, clusterSize, readOnly, bitmaps, NodeSettings.DEFAULT,
                Optional.empty());
    }

    /** The same layer with this protocol child. */
    BlockLayer withFileNode(String name) {
        return new BlockLayer(nodeName, driver, filename, virtualSize, clusterSize, readOnly, bitmaps, settings,
                Optional.of(name));
    }

    /** Whether QEMU generated the node name ({@code #block123}, nodes opened by {@code -drive} or from a header). */
    public boolean hasGeneratedName() {
        return nodeName.startsWith("#");
    }

    /** The bitmap with this name, if the node has one. */
    public Optional<BitmapInfo> bitmap(String name) {
        return ((BitmapList) bitmaps).named(name);
    }

    /** Whether the node has a bitmap with this name. */
    public boolean hasBitmap(String name) {
        return bitmap(name).isPresent();
    }

    /** Parses one element of the {@code query-named-block-nodes} reply. */
    static BlockLayer parse(JsonNode n) {
        JsonNode image = n.path("image");
        List<BitmapInfo> bitmaps = new ArrayList<>();
        for (JsonNode b : n.path("dirty-bitmaps")) {
            bitmaps.add(BitmapInfo.parse(b));
        }
        return new BlockLayer(n.path("node-name").asText(), n.path("drv").asText(""),
                n.path("file").asText(""), image.path("virtual-size").asLong(0),
                image.path("cluster-size").asLong(0), n.path("ro").asBoolean(false), bitmaps, NodeSettings.parse(n),
                Optional.empty());
    }
}
