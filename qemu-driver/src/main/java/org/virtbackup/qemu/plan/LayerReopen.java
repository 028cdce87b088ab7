// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.virtbackup.qemu.block.BlockDisk;
import org.virtbackup.qemu.block.BlockGraph;
import org.virtbackup.qemu.block.BlockLayer;
import org.virtbackup.qemu.block.NodeSettings;

/**
 * How a read-only qcow2 layer is made writable for a bitmap change and read-only again, with
 * {@code blockdev-reopen} (libvirt's {@code qemuBlockReopenReadWrite}/{@code ReadOnly}). QEMU 7.2 behaviour,
 * probed in {@code src/test/resources/block/capture/probe_reopen.trace}:
 * <ul>
 * <li>The reopen must name the node's {@code driver}, {@code node-name}, its {@code file} child and its
 *     {@code backing} ({@code null} when it has none; left out: "backing is missing for 'mid-format'"). Both
 *     children are given by node name, so they are not reopened with new options (libvirt does the same).</li>
 * <li>Every other option is reset to its default, so the settings QEMU reports are repeated
 *     ({@link NodeSettings}); {@code discard} is not reported and is only kept when {@code detect-zeroes} is
 *     {@code unmap}, which requires it.</li>
 * <li>A file child opened with {@code auto-read-only} (virtbackup's launcher, libvirt) reports {@code ro: false}
 *     and follows the format node. A file child that is itself read-only fails the format node's reopen with
 *     "Block node is read-only", so it is listed in the same {@code blockdev-reopen} with its filename.</li>
 * <li>Nodes whose name QEMU generated ({@code #block123}: {@code -drive}, backing files opened from a header)
 *     cannot be reopened: "Cannot change the option 'node-name'".</li>
 * </ul>
 *
 * @param layer the read-only format node
 * @param backing its backing node, empty for none
 * @param file its protocol child when that must be reopened too (it is read-only itself)
 */
record LayerReopen(BlockLayer layer, Optional<String> backing, Optional<BlockLayer> file) {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    LayerReopen {
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(backing, "backing");
        Objects.requireNonNull(file, "file");
    }

    /**
     * The reopen of a read-only layer of {@code disk} whose bitmap {@code bitmap} must change.
     *
     * @throws org.virtbackup.api.VirtBackupException {@code OPERATION_UNSUPPORTED} for layers QEMU 7.2 cannot
     *     reopen or whose children are unknown, naming what to do instead
     */
    static LayerReopen of(BlockDisk disk, BlockLayer layer, BlockGraph graph, String bitmap) {
        String where = "bitmap '" + bitmap + "' of disk '" + disk.name() + "' is in read-only layer '"
                + layer.nodeName() + "'";
        if (!layer.driver().equals("qcow2")) {
            throw unsupported(where, "it is a " + layer.driver() + " node, not qcow2", layer, bitmap);
        }
        requireOwnName(where, layer, layer, bitmap);
        String fileName = layer.fileNode().orElseThrow(() -> unsupported(where, "virtbackup cannot tell which "
                + "node is its file child (no single file or host_device node reads '" + layer.filename() + "')",
                layer, bitmap));
        BlockLayer fileNode = graph.node(fileName).orElseThrow();
        Optional<BlockLayer> reopenedFile = Optional.empty();
        if (fileNode.readOnly()) {
            requireOwnName(where, fileNode, layer, bitmap);
            reopenedFile = Optional.of(fileNode);
        }
        return new LayerReopen(layer, disk.backingOf(layer).map(BlockLayer::nodeName), reopenedFile);
    }

    /** The node's options for {@code blockdev-reopen}, file child first when writable, last when read-only. */
    List<ObjectNode> options(boolean readOnly) {
        List<ObjectNode> out = new ArrayList<>();
        ObjectNode format = JSON.objectNode();
        format.put("driver", layer.driver());
        format.put("node-name", layer.nodeName());
        format.put("file", layer.fileNode().orElseThrow());
        if (backing.isPresent()) {
            format.put("backing", backing.get());
        } else {
            format.putNull("backing");
        }
        finish(format, layer.settings(), readOnly);
        out.add(format);
        file.ifPresent(f -> {
            ObjectNode protocol = JSON.objectNode();
            protocol.put("driver", f.driver());
            protocol.put("node-name", f.nodeName());
            protocol.put("filename", f.filename());
            finish(protocol, f.settings(), readOnly);
            out.add(readOnly ? out.size() : 0, protocol);
        });
        return out;
    }

    private static void finish(ObjectNode n, NodeSettings s, boolean readOnly) {
        n.put("read-only", readOnly);
        ObjectNode cache = n.putObject("cache");
        cache.put("direct", s.cacheDirect());
        cache.put("no-flush", s.cacheNoFlush());
        n.put("detect-zeroes", s.detectZeroes());
        if (s.detectZeroes().equals("unmap")) {
            n.put("discard", "unmap"); // QEMU refuses detect-zeroes=unmap without it
        }
    }

    private static void requireOwnName(String where, BlockLayer node, BlockLayer layer, String bitmap) {
        if (node.hasGeneratedName()) {
            throw unsupported(where, "node '" + node.nodeName() + "' has a name QEMU generated (an image opened "
                    + "with -drive or from a backing file header), which QEMU 7.2's blockdev-reopen cannot address "
                    + "(\"Cannot change the option 'node-name'\"); attach the disk's images with -blockdev and "
                    + "node names", layer, bitmap);
        }
    }

    private static RuntimeException unsupported(String where, String why, BlockLayer layer, String bitmap) {
        return Errors.operationUnsupported(where + " and cannot be reopened read-write to remove it: " + why
                + "; or, with the domain shut off, run 'qemu-img bitmap --remove " + layer.filename() + " " + bitmap
                + "' and delete the checkpoint's metadata only (METADATA_ONLY, checkpoint-delete --metadata)");
    }
}
