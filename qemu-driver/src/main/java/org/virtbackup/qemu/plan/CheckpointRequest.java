// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import java.util.List;
import java.util.Objects;

/**
 * A checkpoint to create: one persistent bitmap named after it on the top layer of each listed disk
 * (libvirt-backup-reference.md §4.5). The disks are those with {@code checkpoint='bitmap'}.
 *
 * @param name the checkpoint name, which is also the bitmap name
 * @param disks the disk names
 */
public record CheckpointRequest(String name, List<String> disks) {

    public CheckpointRequest {
        Objects.requireNonNull(name, "name");
        disks = List.copyOf(disks);
    }
}
