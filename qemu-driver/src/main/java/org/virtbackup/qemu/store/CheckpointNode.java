// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import java.util.Objects;
import java.util.Optional;

/**
 * The part of a checkpoint's metadata that places it in the tree.
 *
 * @param name the checkpoint's name
 * @param parent its parent's name; empty for a root
 * @param creationTime seconds since the epoch
 */
public record CheckpointNode(String name, Optional<String> parent, long creationTime) {

    public CheckpointNode {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(parent, "parent");
    }
}
