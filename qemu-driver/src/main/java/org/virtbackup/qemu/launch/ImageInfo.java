// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.launch;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The parts of {@code qemu-img info --output=json} that backups care about.
 *
 * @param format the image format driver, e.g. {@code "qcow2"}
 * @param virtualSize the guest-visible size in bytes
 * @param actualSize bytes allocated on the host
 * @param clusterSize the qcow2 cluster size, or empty for raw
 * @param backingFile the backing file as recorded in the header, if any
 * @param bitmaps the persistent bitmaps (qcow2 only); unmodifiable
 * @param raw the whole reply
 */
public record ImageInfo(String format, long virtualSize, long actualSize, Optional<Long> clusterSize,
        Optional<String> backingFile, List<BitmapInfo> bitmaps, JsonNode raw) {

    public ImageInfo {
        bitmaps = List.copyOf(bitmaps);
        raw = raw.deepCopy();
    }

    @Override
    public JsonNode raw() {
        return raw.deepCopy();
    }

    /** Parses the JSON printed by {@code qemu-img info --output=json}. */
    public static ImageInfo parse(JsonNode info) {
        List<BitmapInfo> bitmaps = new ArrayList<>();
        for (JsonNode b : info.path("format-specific").path("data").path("bitmaps")) {
            Set<String> flags = new HashSet<>();
            b.path("flags").forEach(f -> flags.add(f.asText()));
            bitmaps.add(new BitmapInfo(b.path("name").asText(), b.path("granularity").asLong(), flags));
        }
        JsonNode cluster = info.get("cluster-size");
        JsonNode backing = info.get("backing-filename");
        return new ImageInfo(info.path("format").asText(), info.path("virtual-size").asLong(),
                info.path("actual-size").asLong(), Optional.ofNullable(cluster).map(JsonNode::asLong),
                Optional.ofNullable(backing).map(JsonNode::asText), bitmaps, info);
    }

    /** The bitmap called {@code name}, if the image has one. */
    public Optional<BitmapInfo> bitmap(String name) {
        return bitmaps.stream().filter(b -> b.name().equals(name)).findFirst();
    }
}
