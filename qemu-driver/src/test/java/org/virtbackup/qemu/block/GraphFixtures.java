// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.block;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Loads captured block graphs ({@code {"query-block": ..., "query-named-block-nodes": ...}}). */
public final class GraphFixtures {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private GraphFixtures() {
    }

    /** A fixture from {@code src/test/resources/block/}, e.g. {@code "chain3.json"}. */
    public static BlockGraph load(String name) {
        try (InputStream in = GraphFixtures.class.getResourceAsStream("/block/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture /block/" + name);
            }
            return parse(MAPPER.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Builds a graph from the combined object. */
    public static BlockGraph parse(JsonNode combined) {
        return BlockGraph.from(combined.path("query-block"), combined.path("query-named-block-nodes"));
    }
}
