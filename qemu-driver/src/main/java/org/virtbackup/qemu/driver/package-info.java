// SPDX-License-Identifier: Apache-2.0
/**
 * The QEMU driver behind the public API: {@code qmp+unix:///path/qmp.sock?domain=NAME}.
 *
 * <p>Layer: orchestration. Ties the XML layer (parse, align), the pure planner, the executor and the state
 * directory together; it holds no QMP or file-format knowledge of its own. A connection holds the QMP socket
 * for its lifetime (QEMU serves one client per socket: a QEMU that something else also manages needs a
 * second {@code -qmp} socket).
 */
package org.virtbackup.qemu.driver;
