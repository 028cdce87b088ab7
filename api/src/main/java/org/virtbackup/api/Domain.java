// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.api;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A virtual machine whose disks can be backed up and checkpointed.
 *
 * <p>All methods check their arguments first (null gives {@link NullPointerException}, a bad flag
 * combination {@link ErrorCode#INVALID_ARG}), then delegate to the driver.
 *
 * @since 0.1
 */
public interface Domain {

    /** The domain's name. */
    String name();

    /**
     * Starts a backup job described by libvirt's {@code <domainbackup>} XML.
     *
     * @param backupXml the backup definition
     * @param checkpointXml a {@code <domaincheckpoint>} to create at the same point in time, or null
     * @param flags {@link BackupStartFlag}s
     * @return the running job
     * @throws VirtBackupException {@link ErrorCode#OPERATION_INVALID} if a backup is already running, or
     *     the libvirt-style error of the failed step; nothing created is left behind
     */
    BackupJob backupStart(String backupXml, String checkpointXml, Set<BackupStartFlag> flags);

    /**
     * libvirt's name for {@link #backupStart}.
     *
     * @param backupXml the backup definition
     * @param checkpointXml a checkpoint to create with the backup, or null
     * @param flags {@link BackupStartFlag}s
     * @return the running job
     */
    default BackupJob backupBegin(String backupXml, String checkpointXml, Set<BackupStartFlag> flags) {
        return backupStart(backupXml, checkpointXml, flags);
    }

    /**
     * Computes what {@link #backupStart} would do with the same arguments, and changes nothing: no node,
     * file, bitmap or state is created. Beyond libvirt.
     *
     * @param backupXml the backup definition
     * @param checkpointXml a checkpoint to create with the backup, or null
     * @param flags {@link BackupStartFlag}s
     * @return the aligned XML and the QMP plan
     * @throws VirtBackupException the same errors {@link #backupStart} would raise before touching QEMU
     */
    BackupDryRun backupDryRun(String backupXml, String checkpointXml, Set<BackupStartFlag> flags);

    /**
     * Computes what {@link #backupEnd} would do now with the same flags, and changes nothing: how the job would
     * end, and its end plan (a start that never finished also resumes a guest it paused and cancels the jobs it
     * left). Beyond libvirt.
     *
     * @param flags {@link BackupEndFlag}s
     * @return the outcome and the QMP plan
     * @throws VirtBackupException {@link ErrorCode#NO_DOMAIN_BACKUP} when no job is on record; the errors of
     *     {@link #backupEnd} when QEMU cannot be asked
     */
    BackupEndDryRun backupEndDryRun(Set<BackupEndFlag> flags);

    /**
     * The running backup's definition, aligned with the domain, as libvirt's {@code virDomainBackupGetXMLDesc}
     * prints it (defaults filled in, {@code index} added).
     *
     * @throws VirtBackupException {@link ErrorCode#NO_DOMAIN_BACKUP} if no backup is running
     */
    String backupGetXmlDesc();

    /**
     * The running backup job, if any (possibly started by another process).
     *
     * @return the job, or empty
     */
    Optional<BackupJob> currentBackup();

    /**
     * Ends the backup job: after a completed push, releases the targets; before completion, cancels and
     * deletes the targets virtbackup created; for pull, removes exports, scratch nodes and files. Idempotent.
     *
     * @param flags {@link BackupEndFlag}s
     * @return the final statistics
     * @throws VirtBackupException {@link ErrorCode#NO_DOMAIN_BACKUP} if there is no job to end
     */
    JobInfo backupEnd(Set<BackupEndFlag> flags);

    /**
     * libvirt's {@code virDomainAbortJob}: ends the backup job (cancelling a push that has not completed).
     *
     * @throws VirtBackupException {@link ErrorCode#OPERATION_INVALID} "no job is active on the domain"
     */
    default void abortJob() {
        backupEnd(Set.of());
    }

    /**
     * The statistics of the running job, or of the last finished one.
     *
     * @param completed true for the last finished job ({@code VIR_DOMAIN_JOB_STATS_COMPLETED})
     * @return the statistics; state {@link JobState#NONE} when there is none
     */
    JobInfo jobInfo(boolean completed);

    /**
     * Creates a checkpoint, or with {@link CheckpointCreateFlag#REDEFINE} records existing bitmaps.
     *
     * @param checkpointXml a {@code <domaincheckpoint>}
     * @param flags {@link CheckpointCreateFlag}s
     * @return the new checkpoint
     */
    DomainCheckpoint checkpointCreateXml(String checkpointXml, Set<CheckpointCreateFlag> flags);

    /**
     * Lists checkpoints.
     *
     * @param flags {@link CheckpointListFlag#ROOTS}, {@link CheckpointListFlag#TOPOLOGICAL},
     *     {@link CheckpointListFlag#LEAVES}, {@link CheckpointListFlag#NO_LEAVES}
     * @return an unmodifiable list
     */
    List<DomainCheckpoint> listAllCheckpoints(Set<CheckpointListFlag> flags);

    /**
     * Looks a checkpoint up by name.
     *
     * @param name the checkpoint's name
     * @return the checkpoint
     * @throws VirtBackupException {@link ErrorCode#NO_DOMAIN_CHECKPOINT} if there is none
     */
    DomainCheckpoint checkpointLookupByName(String name);

    /**
     * Compares the checkpoint metadata with the persistent bitmaps QEMU reports (beyond libvirt). Changes
     * nothing.
     *
     * @return each checkpoint disk's state and the orphan bitmaps
     */
    CheckpointHealth checkpointHealth();

    /**
     * Repair: records an orphan persistent bitmap as a checkpoint named after it (a {@code REDEFINE} with a
     * generated definition: every disk whose chain has a usable bitmap of that name, creation time now, no
     * parent). Beyond libvirt.
     *
     * @param bitmap the orphan bitmap's name
     * @return the new checkpoint
     * @throws VirtBackupException {@link ErrorCode#OPERATION_FAILED} "domain moment X already exists" when
     *     metadata of that name exists; {@link ErrorCode#CHECKPOINT_INCONSISTENT} when no disk has a usable
     *     bitmap of that name
     */
    DomainCheckpoint checkpointAdoptBitmap(String bitmap);

    /**
     * Repair: removes an orphan persistent bitmap from every layer of every disk that has it. Beyond libvirt.
     *
     * @param bitmap the orphan bitmap's name
     * @throws VirtBackupException {@link ErrorCode#OPERATION_INVALID} when a checkpoint claims the bitmap (delete
     *     the checkpoint instead); {@link ErrorCode#INVALID_ARG} when no disk has it
     */
    void checkpointRemoveBitmap(String bitmap);

    /**
     * libvirt's {@code virDomainFDAssociate(domain, name, fds, flags)}: registers file descriptors under
     * {@code name}, an fd group. A pull backup whose XML says {@code <server transport='fd' fdgroup='NAME'/>}
     * (libvirt 11.3) has its NBD server listen on the group's one descriptor: a socket the caller created, bound
     * and put into listening state (unix or TCP), so that the caller decides where and for whom the export is
     * reachable (another network namespace, a path QEMU could not create, a port it already holds).
     *
     * <p>The domain object owns the descriptors from this call on: do not use or close them yourself. A backup
     * start passes the descriptor to QEMU ({@code getfd} over the monitor; QEMU keeps its own copy, so the backup
     * can still be read and ended from another process), and the descriptors are closed when this domain's
     * connection closes, or when the name is associated again.
     *
     * @param name the fd group, as {@code fdgroup} names it
     * @param fds the descriptors; for the NBD server exactly one, a listening socket
     * @throws VirtBackupException {@code NO_SUPPORT} when the driver cannot pass descriptors
     */
    default void fdAssociate(String name, java.util.List<java.io.FileDescriptor> fds) {
        throw new VirtBackupException(ErrorCode.NO_SUPPORT, ErrorDomain.NONE,
                "this driver does not support passing file descriptors");
    }
}
