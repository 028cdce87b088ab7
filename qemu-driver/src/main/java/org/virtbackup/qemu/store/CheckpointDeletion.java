// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.virtbackup.api.CheckpointDeleteFlag;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * What deleting a checkpoint changes in the metadata, computed before anything is touched (libvirt's
 * {@code qemuCheckpointDelete}, libvirt-backup-reference.md §3.2, §4.6).
 *
 * @param removed the checkpoints to delete, children before parents (the order their bitmaps go)
 * @param reparented children that stay, with their new parent (empty = they become roots)
 * @param newCurrent the current checkpoint afterwards
 */
public record CheckpointDeletion(List<String> removed, Map<String, Optional<String>> reparented,
        Optional<String> newCurrent) {

    public CheckpointDeletion {
        removed = List.copyOf(removed);
        reparented = Map.copyOf(reparented);
    }

    /**
     * Plans the deletion of {@code name}.
     *
     * @param tree the checkpoints
     * @param name the checkpoint to delete
     * @param current the current checkpoint before the deletion
     * @param flags {@code CHILDREN}, {@code CHILDREN_ONLY} (exclusive), {@code METADATA_ONLY}
     */
    public static CheckpointDeletion plan(CheckpointTree tree, String name, Optional<String> current,
            Set<CheckpointDeleteFlag> flags) {
        if (flags.contains(CheckpointDeleteFlag.CHILDREN) && flags.contains(CheckpointDeleteFlag.CHILDREN_ONLY)) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.DOMAIN_CHECKPOINT,
                    "flags 'children' and 'children-only' are mutually exclusive");
        }
        Optional<String> parent = tree.parentOf(name);
        List<String> descendants = tree.descendants(name);
        List<String> removed = new ArrayList<>();
        Map<String, Optional<String>> reparented = new LinkedHashMap<>();
        if (flags.contains(CheckpointDeleteFlag.CHILDREN) || flags.contains(CheckpointDeleteFlag.CHILDREN_ONLY)) {
            List<String> childrenFirst = new ArrayList<>(descendants);
            java.util.Collections.reverse(childrenFirst);
            removed.addAll(childrenFirst);
        }
        if (!flags.contains(CheckpointDeleteFlag.CHILDREN_ONLY)) {
            removed.add(name);
            if (!flags.contains(CheckpointDeleteFlag.CHILDREN)) {
                tree.children(name).forEach(c -> reparented.put(c, parent));
            }
        }
        Optional<String> newCurrent = current;
        if (current.isPresent() && removed.contains(current.get())) {
            // libvirt: with CHILDREN_ONLY the kept checkpoint becomes current; else its parent does.
            newCurrent = flags.contains(CheckpointDeleteFlag.CHILDREN_ONLY) ? Optional.of(name) : parent;
        }
        return new CheckpointDeletion(removed, reparented, newCurrent);
    }
}
