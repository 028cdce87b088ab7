// SPDX-License-Identifier: Apache-2.0
/**
 * JSON text to and from Jackson's tree nodes without an {@code ObjectMapper}: the codec under the QMP wire
 * ({@code qmp}) and the driver's state files ({@code store}).
 *
 * <p>Layer: below both. Depends on jackson-core and jackson-databind's tree nodes only.
 */
package org.virtbackup.qemu.json;
