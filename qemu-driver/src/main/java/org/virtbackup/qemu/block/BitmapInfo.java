// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.block;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One dirty bitmap of a block node, as {@code query-named-block-nodes} reports it in {@code dirty-bitmaps}.
 *
 * @param name the bitmap name (for checkpoints: the checkpoint name)
 * @param recording the bitmap records guest writes (qemu-img flag {@code auto})
 * @param persistent the bitmap is stored in the qcow2 image
 * @param busy a job or an NBD export uses it
 * @param inconsistent QEMU found it flagged {@code in-use} on open, i.e. it was not closed cleanly
 *     (qemu-7.2-qmp-notes.md §7); QEMU omits the member when false
 * @param granularity bytes per bit
 * @param count dirty bytes
 */
public record BitmapInfo(String name, boolean recording, boolean persistent, boolean busy,
        boolean inconsistent, long granularity, long count) {

    public BitmapInfo {
        Objects.requireNonNull(name, "name");
    }

    /** Parses one element of {@code dirty-bitmaps}. Anonymous bitmaps (no name) get the empty name. */
    static BitmapInfo parse(JsonNode n) {
        return new BitmapInfo(n.path("name").asText(""), n.path("recording").asBoolean(false),
                n.path("persistent").asBoolean(false), n.path("busy").asBoolean(false),
                n.path("inconsistent").asBoolean(false), n.path("granularity").asLong(0),
                n.path("count").asLong(0));
    }
}
