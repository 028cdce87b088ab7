// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A complete point of a repository: its directory and its manifest.
 *
 * @param dir the point's directory, {@code DIR/<domain>/<checkpoint>}
 * @param manifest what it holds
 * @since 0.1
 */
public record Point(Path dir, PointManifest manifest) {
    public Point {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(manifest, "manifest");
    }

    /** The point's name: the checkpoint its backup created. */
    public String name() {
        return manifest.checkpoint();
    }

    /** The qcow2 file of {@code disk}. */
    public Path file(DiskEntry disk) {
        return dir.resolve(disk.file());
    }
}
