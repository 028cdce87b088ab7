// SPDX-License-Identifier: Apache-2.0
/**
 * NBD client: a small binding of the system's libnbd ({@code libnbd.so.0}) through JNA. The protocol is
 * libnbd's job; this package maps the calls virtbackup needs (connect by URI, size, read, write, zero, flush,
 * block status for {@code base:allocation} and {@code qemu:dirty-bitmap:*}) to Java, turns libnbd's errors into
 * {@link org.virtbackup.api.VirtBackupException}s, and runs several connections in parallel.
 *
 * <p>Layer: storage I/O. Depends on {@code org.virtbackup.api} and JNA only.
 *
 * <pre>{@code
 * try (NbdConnection c = NbdConnection.open("nbd+unix:///vda?socket=/run/b.sock",
 *         List.of(MetaContext.BASE_ALLOCATION));
 *      NbdBuffer buf = new NbdBuffer(1 << 20)) {
 *     for (Extent e : c.extents(MetaContext.BASE_ALLOCATION, 0, c.size())) {
 *         if (!e.has(MetaContext.STATE_ZERO)) { ... c.read(buf, n, pos) ... }
 *     }
 * }
 * }</pre>
 */
package org.virtbackup.nbd;
