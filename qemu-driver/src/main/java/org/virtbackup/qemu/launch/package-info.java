// SPDX-License-Identifier: Apache-2.0
/**
 * Starting and owning a QEMU without a guest OS, and {@code qemu-img}: for tests, the demo, examples and
 * benchmarks. {@link org.virtbackup.qemu.launch.EmbeddedQemu} attaches disks the way libvirt does
 * ({@code <id>-storage} file node, {@code <id>-format} format node, virtio-blk-pci device {@code <id>}),
 * writes to them as a guest would, and never leaves a QEMU running.
 *
 * <p>Layer: beside the QMP layer. Depends on {@code org.virtbackup.qemu.qmp}, Jackson and SLF4J; knows
 * nothing of backups. Nothing in the driver's own code path depends on it.
 */
package org.virtbackup.qemu.launch;
