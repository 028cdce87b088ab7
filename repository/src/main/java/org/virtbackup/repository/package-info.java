// SPDX-License-Identifier: Apache-2.0
/**
 * The backup repository: pull backups through the public API ({@code org.virtbackup.api}), read with libnbd
 * ({@code org.virtbackup.nbd}) and written into qcow2 chains by QEMU's own tools ({@code qemu-img},
 * {@code qemu-nbd}); a JSON manifest per point with content digests; list, verify, restore.
 *
 * <p>Layer: above the API; knows no driver. Depends on {@code org.virtbackup.api}, {@code org.virtbackup.nbd}
 * and Jackson. Pure parts ({@code ExtentPlan}, {@code LevelChoice},
 * {@code BackupXml}, {@code ManifestJson}) do no I/O; {@code RepoBackup}, {@code DiskCopy},
 * {@code ContentDigest}, {@code PointFiles}, {@code RepoVerify} and {@code RepoRestore} do.
 *
 * <p>Layout: {@code DIR/<domain>/<checkpoint>/{<disk>.qcow2,manifest.json}}; see {@link
 * org.virtbackup.repository.Repository}.
 */
package org.virtbackup.repository;
