// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

/**
 * What {@code repo backup} copies.
 *
 * @since 0.1
 */
public enum Level {
    /** Every allocated extent, into standalone qcow2 files. */
    FULL,
    /** Only what changed since the newest point, into overlays of it. */
    INC,
    /** {@link #INC} when the newest point can be continued, else {@link #FULL}. */
    AUTO
}
