// SPDX-License-Identifier: Apache-2.0
/**
 * The executor: runs a {@link org.virtbackup.qemu.plan.Plan} against QEMU and the host.
 *
 * <p>Layer: effectful. The only layer that talks to the QMP socket, the file system and the clock on the
 * planner's behalf. Prepare → apply → rollback: before each step the step's resources are recorded in the
 * job journal (so another process can clean up after a crash); a failed START plan is rolled back by the
 * undo steps of the applied steps, in reverse; a TEARDOWN plan runs to its end and reports its first error.
 * Rollback errors are attached to the first error with {@code addSuppressed}, never replacing it.
 */
package org.virtbackup.qemu.exec;
