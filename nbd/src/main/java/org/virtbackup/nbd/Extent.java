// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.nbd;

/**
 * A run of bytes with one status, as an NBD server reports it for a metadata context: for
 * {@link MetaContext#BASE_ALLOCATION} the flags are {@link MetaContext#STATE_HOLE} and
 * {@link MetaContext#STATE_ZERO}; for a dirty bitmap {@link MetaContext#STATE_DIRTY}.
 *
 * @param offset where the run starts, in bytes
 * @param length how long it is, in bytes, more than 0
 * @param flags the status bits the server gave
 * @since 0.1
 */
public record Extent(long offset, long length, int flags) {

    public Extent {
        if (offset < 0 || length <= 0) {
            throw new IllegalArgumentException("bad extent " + offset + "+" + length);
        }
    }

    /** The first byte after the run. */
    public long end() {
        return offset + length;
    }

    /** Whether every bit of {@code mask} is set. */
    public boolean has(int mask) {
        return (flags & mask) == mask;
    }
}
