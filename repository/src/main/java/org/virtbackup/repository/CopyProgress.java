// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.util.Objects;

/**
 * How far {@code repo backup} has copied one disk: reported after each chunk, from the copying threads.
 *
 * @param disk the disk's name
 * @param done bytes copied or zeroed so far
 * @param total bytes the disk's plan copies or zeroes
 * @since 0.1
 */
public record CopyProgress(String disk, long done, long total) {
    public CopyProgress {
        Objects.requireNonNull(disk, "disk");
    }
}
