// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * A bitmap on a given node, the {@code BlockDirtyBitmap} form {@code {"node", "name"}} that libvirt uses in
 * merges; needed because the sources of a merge live on other nodes (backing layers) than the target.
 *
 * @param node the node name
 * @param name the bitmap name
 */
public record BitmapRef(String node, String name) {

    public BitmapRef {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(name, "name");
    }

    ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("node", node);
        n.put("name", name);
        return n;
    }
}
