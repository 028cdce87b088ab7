// SPDX-License-Identifier: Apache-2.0
/**
 * The backup planner: turns a {@link org.virtbackup.qemu.plan.BackupRequest} and a
 * {@link org.virtbackup.qemu.block.BlockGraph} into a {@link org.virtbackup.qemu.plan.Plan} of QMP commands,
 * file operations and their undo steps.
 *
 * <p>Layer: pure. No sockets, no file I/O, no clock, no randomness: node names and job ids are derived from
 * the job prefix and the disk names ({@code vb-vda-target-format}, job {@code vb-backup-vda}), so equal
 * inputs give equal plans, which the golden tests in {@code src/test/resources/plans/} pin down. Depends on
 * {@code org.virtbackup.api} (errors, {@code BackupMode}), {@code org.virtbackup.qemu.block} and the value
 * types {@code QmpCommand}/{@code QemuCapabilities} of {@code org.virtbackup.qemu.qmp}; the executor
 * ({@code qemu.exec}) depends on this package, never the reverse.
 *
 * <h2>Running a plan (the executor's contract)</h2>
 * <ul>
 * <li>Run the steps in order. Before a step runs, persist its {@link org.virtbackup.qemu.plan.Step#creates()}
 *     and its index in the job state, so that a crash leaves a list of what to look for.</li>
 * <li>{@link org.virtbackup.qemu.plan.Plan.Kind#START}: on the first failure, stop and run
 *     {@link org.virtbackup.qemu.plan.Plan#rollback(int)} for the steps that succeeded, best effort; rollback
 *     errors are suppressed into the first error. A step that was running when the process died counts as
 *     possibly applied: its undo runs too (every undo tolerates "already gone").</li>
 * <li>{@link org.virtbackup.qemu.plan.Plan.Kind#TEARDOWN}: run every step even after failures; report the
 *     first.</li>
 * <li>Subscribe to {@code JOB_STATUS_CHANGE} before the step that starts a job, so that
 *     {@link org.virtbackup.qemu.plan.Step.AwaitJob} never misses the {@code concluded} event.</li>
 * </ul>
 *
 * <h2>Backing file of an incremental push target</h2>
 * libvirt writes the <em>live disk</em> into the header of an incremental qcow2 target and opens it with the
 * live disk as backing; restoring needs {@code qemu-img rebase -u} onto the previous backup
 * (qemu-7.2-qmp-notes.md §6, §8 gotcha 14). virtbackup instead writes the <em>previous backup</em> of the
 * chain into the header when the request names it ({@link org.virtbackup.qemu.plan.DiskRequest#backingTarget()}),
 * so that full ← inc1 ← inc2 is a valid qcow2 chain as written ({@code qemu-img compare} works without a
 * rebase), and opens the target with {@code "backing": null}: {@code sync=incremental} only writes dirty
 * clusters and never reads the target, so QEMU needs the header only (verified in
 * {@code s2_incremental.trace}, inc1 opened with {@code backing: null}). Without a named previous backup
 * the planner falls back to libvirt's behaviour. Raw targets have no backing file.
 *
 * <h2>Deliberate differences from libvirt</h2>
 * <ul>
 * <li>A failed start removes the new checkpoint's bitmaps again (libvirt keeps a checkpoint once its
 *     transaction ran), so QEMU never holds a checkpoint bitmap without metadata.</li>
 * <li>Target files are created by the executor with mode 0600 ({@link org.virtbackup.qemu.plan.Step.CreateFile},
 *     exclusive: libvirt's "store exists" check), then formatted by QEMU's {@code blockdev-create}.</li>
 * <li>Pull end removes exports explicitly ({@code block-export-del}, mode hard) before
 *     {@code nbd-server-stop}, and cancels with {@code job-cancel} instead of {@code block-job-cancel}.</li>
 * <li>Deleting a checkpoint whose bitmap sits in a read-only backing layer reopens the layer read-write and
 *     read-only again as libvirt does, but with the options QEMU reports back ({@code LayerReopen}): options it
 *     does not report ({@code discard}, {@code aio}, {@code locking}) return to their defaults on that layer,
 *     and a read-only file child is reopened with it. Layers whose node name QEMU generated ({@code -drive})
 *     cannot be reopened on 7.2 and are refused ({@code OPERATION_UNSUPPORTED}); libvirt always names nodes.</li>
 * </ul>
 */
package org.virtbackup.qemu.plan;
