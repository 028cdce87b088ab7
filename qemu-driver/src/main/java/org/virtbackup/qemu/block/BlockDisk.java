// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.block;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One guest disk: a {@code query-block} entry with its opened backing chain.
 *
 * @param name the disk name: the {@code device} when QEMU reports one (disks made with {@code -drive}),
 *     else the device id taken from {@code qdev} ({@code /machine/peripheral/vda/virtio-backend} gives
 *     {@code vda}), else the qdev path itself
 * @param device the BlockBackend name, when non-empty
 * @param qdev the QOM path of the device model, e.g. {@code /machine/peripheral/vda/virtio-backend}
 * @param chain the opened backing chain, top (the node the device uses) first; empty when the drive has no
 *     medium
 */
public record BlockDisk(String name, Optional<String> device, Optional<String> qdev, List<BlockLayer> chain) {

    public BlockDisk {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(qdev, "qdev");
        chain = List.copyOf(chain);
    }

    /** Whether a medium is inserted. */
    public boolean hasMedia() {
        return !chain.isEmpty();
    }

    /**
     * The top layer, the node the guest device writes to.
     *
     * @throws IllegalStateException when the disk has no medium
     */
    public BlockLayer top() {
        if (chain.isEmpty()) {
            throw new IllegalStateException("disk '" + name + "' has no media");
        }
        return chain.get(0);
    }

    /** The node name of the top layer; see {@link #top()}. */
    public String topNodeName() {
        return top().nodeName();
    }

    /**
     * The opened backing layer of {@code layer} (the next one down the chain), empty for the last layer.
     *
     * @throws IllegalArgumentException when {@code layer} is not in this disk's chain
     */
    public Optional<BlockLayer> backingOf(BlockLayer layer) {
        int i = chain.indexOf(layer);
        if (i < 0) {
            throw new IllegalArgumentException("layer '" + layer.nodeName() + "' is not in the chain of disk '"
                    + name + "'");
        }
        return i + 1 < chain.size() ? Optional.of(chain.get(i + 1)) : Optional.empty();
    }

    /** The layers that have a bitmap with this name, top first. */
    public List<BlockLayer> layersWithBitmap(String bitmap) {
        return chain.stream().filter(l -> l.hasBitmap(bitmap)).toList();
    }

    /**
     * Checks the bitmap chain of a checkpoint the way libvirt's {@code qemuBlockBitmapChainIsValid} does
     * (libvirt-backup-reference.md §4.0): the top layer has the bitmap, the layers having it are contiguous
     * from the top, and each copy is persistent, recording and not inconsistent.
     *
     * @return empty when the chain is valid, else the reason, lowercase, naming the layer at fault
     */
    public Optional<String> bitmapChainProblem(String bitmap) {
        if (chain.isEmpty()) {
            return Optional.of("disk '" + name + "' has no media");
        }
        boolean ended = false;
        for (BlockLayer layer : chain) {
            Optional<BitmapInfo> b = layer.bitmap(bitmap);
            if (b.isEmpty()) {
                if (layer == chain.get(0)) {
                    // libvirt says no more; a raw image cannot hold a bitmap, so say what works instead
                    String raw = layer.driver().equals("raw") ? " (a raw image holds no bitmaps: back the disk up "
                            + "in full, <disk name='" + name + "' backupmode='full'>)" : "";
                    return Optional.of("bitmap '" + bitmap + "' is missing in top layer '" + layer.nodeName() + "'"
                            + raw);
                }
                ended = true;
                continue;
            }
            if (ended) {
                return Optional.of("bitmap '" + bitmap + "' in layer '" + layer.nodeName()
                        + "' is separated from the top by a layer without it");
            }
            Optional<String> state = stateProblem(b.get());
            if (state.isPresent()) {
                return Optional.of("bitmap '" + bitmap + "' in layer '" + layer.nodeName() + "' " + state.get());
            }
        }
        return Optional.empty();
    }

    private static Optional<String> stateProblem(BitmapInfo b) {
        if (b.inconsistent()) {
            return Optional.of("is inconsistent (QEMU was not shut down cleanly)");
        }
        if (!b.persistent()) {
            return Optional.of("is not persistent");
        }
        if (!b.recording()) {
            return Optional.of("is not recording");
        }
        return Optional.empty();
    }
}
