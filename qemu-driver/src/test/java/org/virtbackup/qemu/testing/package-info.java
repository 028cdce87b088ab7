// SPDX-License-Identifier: Apache-2.0
/**
 * Test fixtures for the QEMU driver, published in the module's test-jar for {@code cli}, {@code examples} and
 * users' tests: {@link org.virtbackup.qemu.testing.RequiresQemu} (skip without QEMU, fail in CI),
 * {@link org.virtbackup.qemu.testing.FakeQmpServer} with {@link org.virtbackup.qemu.testing.FaultPolicy} and
 * trace replay ({@link org.virtbackup.qemu.testing.QmpScript}) for protocol-fault unit tests only, and
 * {@link org.virtbackup.qemu.testing.QemuLeftovers} for end-to-end tests that must leave nothing behind.
 *
 * <p>Layer: test support. Depends on {@code org.virtbackup.qemu.qmp}, {@code org.virtbackup.qemu.launch},
 * JUnit 5, Jackson and junixsocket.
 */
package org.virtbackup.qemu.testing;
