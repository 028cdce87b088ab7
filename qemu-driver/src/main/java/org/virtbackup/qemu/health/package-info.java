// SPDX-License-Identifier: Apache-2.0
/**
 * Reconciliation of checkpoint metadata with QEMU's persistent bitmaps (beyond libvirt, which checks only
 * lazily): which checkpoint disks are usable, which bitmaps have no metadata, and what repairs them.
 *
 * <p>Layer: pure logic, like {@code qemu.plan}. Reads model records and a {@code BlockGraph}; does no I/O.
 */
package org.virtbackup.qemu.health;
