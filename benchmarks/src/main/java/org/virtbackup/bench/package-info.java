// SPDX-License-Identifier: Apache-2.0
/**
 * The benchmarks behind {@code ./scripts/benchmark}: push, pull, orchestration and checkpoints on a real QEMU,
 * each against references measured on the same QEMU in the same run (our driver through the public API against
 * {@code qemu-img convert}, QEMU driven with libvirt's exact QMP options, bare QMP round trips and transactions,
 * a plain read of the store), and {@link org.virtbackup.bench.XmlBench}, the XML layer's JMH benchmark. Only
 * ratios against references of the same run mean anything on a shared machine; nothing here asserts a figure.
 *
 * <p>Layer: application, outside the library. Uses the public API ({@code org.virtbackup.api}) for our
 * operations, the XML facade ({@code org.virtbackup.xml}) for the JMH benchmark, and the QEMU driver's launch,
 * QMP and plan packages for the fixtures and the references; the library never depends on this package.
 */
package org.virtbackup.bench;
