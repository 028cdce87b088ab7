// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.nio.file.Path;
import java.util.List;

/** What every {@link BackupSide} holds: its name, its directory and its domain's disks. */
abstract class AbstractSide implements BackupSide {
    private final String id;
    private final Path dir;
    private final List<String> disks;

    AbstractSide(String id, Path dir, List<String> disks) {
        this.id = id;
        this.dir = dir;
        this.disks = List.copyOf(disks);
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final Path dir() {
        return dir;
    }

    @Override
    public final List<String> disks() {
        return disks;
    }
}
