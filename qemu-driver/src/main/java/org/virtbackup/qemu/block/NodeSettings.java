// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.block;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * The runtime options of a node that {@code query-named-block-nodes} reports back. {@code blockdev-reopen}
 * resets every option it is not given to its default, so a reopen repeats these; options QEMU does not
 * report ({@code discard}, {@code aio}, {@code locking}, ...) cannot be repeated and fall back to their
 * defaults on a reopened node.
 *
 * @param detectZeroes {@code detect_zeroes}: {@code off}, {@code on} or {@code unmap}
 * @param cacheDirect {@code cache.direct}
 * @param cacheNoFlush {@code cache.no-flush}
 */
public record NodeSettings(String detectZeroes, boolean cacheDirect, boolean cacheNoFlush) {

    /** QEMU's defaults for a {@code -blockdev} node. */
    public static final NodeSettings DEFAULT = new NodeSettings("off", false, false);

    public NodeSettings {
        Objects.requireNonNull(detectZeroes, "detectZeroes");
    }

    static NodeSettings parse(JsonNode n) {
        JsonNode cache = n.path("cache");
        return new NodeSettings(n.path("detect_zeroes").asText("off"), cache.path("direct").asBoolean(false),
                cache.path("no-flush").asBoolean(false));
    }
}
