// SPDX-License-Identifier: Apache-2.0
/**
 * The public API of virtbackup: libvirt's backup and checkpoint API, for the JVM.
 *
 * <p>Layer: top. Depends on nothing of virtbackup's; drivers implement it through {@link org.virtbackup.spi}.
 *
 * <h2>Tutorial</h2>
 * <pre>{@code
 * try (Connection conn = Connections.open("qmp+unix:///run/vm1/qmp.sock?domain=vm1")) {
 *     Domain dom = conn.domain();
 *     BackupJob job = dom.backupStart(backupXml, checkpointXml, EnumSet.noneOf(BackupStartFlag.class));
 *     job.onEvent(e -> System.out.println(e.type() + " " + e.info().diskProcessed()));
 *     JobInfo done = job.awaitCompletion(Duration.ofMinutes(30));   // push jobs
 *     dom.backupEnd(EnumSet.noneOf(BackupEndFlag.class));            // teardown, idempotent
 * }
 * }</pre>
 *
 * <h2>Errors</h2>
 * Every failure is a {@link org.virtbackup.api.VirtBackupException} with an {@link org.virtbackup.api.ErrorCode}
 * (libvirt's names and numbers) and an {@link org.virtbackup.api.ErrorDomain}. Lower-level detail, such as
 * a QMP error class, is its cause.
 */
package org.virtbackup.api;
