// SPDX-License-Identifier: Apache-2.0
/**
 * The push backup benchmark behind {@code ./scripts/benchmark push}: our driver through the public API
 * against {@code qemu-img convert} and against QEMU driven with libvirt's exact QMP options, on the same
 * QEMU, in the same run, in alternating order. Only ratios against references measured in the same run
 * mean anything on a shared machine; nothing here asserts a figure.
 *
 * <p>Layer: application, outside the library. Uses the public API ({@code org.virtbackup.api}) for our
 * backups, and the QEMU driver's launch, QMP and plan packages for the fixture and the references; the
 * library never depends on this package.
 */
package org.virtbackup.bench;
