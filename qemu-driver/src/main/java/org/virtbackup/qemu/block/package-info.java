// SPDX-License-Identifier: Apache-2.0
/**
 * The block graph of a running QEMU as an immutable snapshot.
 *
 * <p>Layer: pure. The caller runs {@code query-block} and {@code query-named-block-nodes {"flat": true}}
 * (see {@code qemu-7.2-qmp-notes.md} §3 and {@code libvirt-backup-reference.md} §4.0) and hands the two
 * replies to {@link org.virtbackup.qemu.block.BlockGraph#from}; nothing in this package talks to a socket,
 * reads a file or looks at a clock. It may depend on Jackson and on {@code org.virtbackup.api} (for
 * {@code VirtBackupException}) only; the planner ({@code org.virtbackup.qemu.plan}) and the executor depend
 * on it, never the reverse.
 *
 * <p>How the backing chain is found: {@code query-named-block-nodes} in flat mode lists every node but not
 * the edges between them (its {@code backing_file_depth} is 0 for every node). {@code query-block} nests the
 * images of the <em>opened</em> chain under {@code image.backing-image}, with filename and format but
 * without node names. Each nested image is therefore matched to the named node with the same filename and
 * format driver. A header backing file that was not opened ({@code "backing": null}) has no nested image
 * and so is, correctly, not part of the chain.
 */
package org.virtbackup.qemu.block;
