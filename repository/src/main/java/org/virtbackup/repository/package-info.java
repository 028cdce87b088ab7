// SPDX-License-Identifier: Apache-2.0
/**
 * The backup repository: pull backups through the public API ({@code org.virtbackup.api}), read with libnbd
 * ({@code org.virtbackup.nbd}) and written into qcow2 chains by QEMU's own tools ({@code qemu-img},
 * {@code qemu-nbd}); a JSON manifest per point with content digests computed while the data streams; list,
 * verify, restore, prune; a lock per repository and the clean-up after a killed run.
 *
 * <p>Layer: above the API; knows no driver. Depends on {@code org.virtbackup.api}, {@code org.virtbackup.nbd}
 * and Jackson. Pure parts ({@code ExtentPlan}, {@code BlockUnits}, {@code LevelChoice}, {@code BackupXml},
 * {@code EmbeddedDomain}, {@code ManifestJson}) do no I/O; {@code RepoBackup}, {@code DiskCopy},
 * {@code BlockWorker}, {@code ContentDigest}, {@code PointFiles}, {@code RunRecord}, {@code InterruptedRuns},
 * {@code RepoLock}, {@code RepoVerify}, {@code RepoRestore} and {@code RepoPrune} do.
 *
 * <p>Layout: {@code DIR/.lock}, {@code DIR/<domain>/<checkpoint>/{<disk>.qcow2,<disk>.qcow2.blocks.sha256,
 * manifest.json}}; see {@link
 * org.virtbackup.repository.Repository}.
 */
package org.virtbackup.repository;
