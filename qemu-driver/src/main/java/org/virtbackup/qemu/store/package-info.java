// SPDX-License-Identifier: Apache-2.0
/**
 * State on disk: the state directory, atomic writes, the per-domain lock, and (in later layers) the
 * checkpoint metadata and the running job's journal.
 *
 * <p>Layer: effectful, file system only. Knows nothing of QMP or sockets; may depend on {@code api} and the
 * XML layer. Files are written atomically (temporary file in the same directory, fsync, rename, fsync of the
 * directory), files are 0600 and directories 0700, and every change of a domain's state happens under
 * {@link org.virtbackup.qemu.store.DomainLock}, which also excludes other processes.
 */
package org.virtbackup.qemu.store;
