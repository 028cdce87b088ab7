// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.util.Objects;
import java.util.Optional;

/**
 * One disk of a point, as its manifest records it.
 *
 * @param name the disk's name in the domain ({@code vda})
 * @param file the qcow2 file, relative to the point's directory
 * @param backing the file's backing file as written in its header, relative to the point's directory; empty for
 *     a full
 * @param virtualSize the disk's size in bytes
 * @param bytesRead bytes read from the export
 * @param bytesWritten bytes written into the file, data and zeroes
 * @param sha256 the digest, in hex, of the disk's whole content at the point (every byte of the virtual size): the
 *     SHA-256 of the SHA-256s of its 1 MiB blocks ({@code BlockDigests})
 * @since 0.1
 */
public record DiskEntry(String name, String file, Optional<String> backing, long virtualSize, long bytesRead,
                        long bytesWritten, String sha256) {
    public DiskEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(backing, "backing");
        Objects.requireNonNull(sha256, "sha256");
    }
}
