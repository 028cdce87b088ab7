// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.virtbackup.api.BackupMode;

/**
 * The planner's input: an aligned backup definition reduced to what the QMP plan needs. An integrator maps
 * libvirt's {@code <domainbackup>} (after {@code BackupAligner.align}) and the optional checkpoint onto it.
 *
 * @param mode push or pull
 * @param disks the disks with {@code backup='yes'}, in the order the plan handles them
 * @param newCheckpoint the checkpoint created atomically with the backup, if any
 * @param server pull: the NBD server; must be empty for push
 * @param reuseExternal {@code REUSE_EXTERNAL}: targets and scratch exist and are only opened; nothing is
 *     created or deleted
 * @param jobPrefix prefix of every node name, job id, export and object id this backup makes, so that
 *     leftovers can be recognised (default {@code vb})
 * @param speedLimit push: each disk's copy limit in bytes per second, 0 for none (beyond libvirt)
 * @param copyRange push: let QEMU use {@code copy_file_range} ({@code x-perf}) where the schema offers it
 * @param pullMethod pull: fleecing job or copy-before-write filter (ignored for push)
 * @param preserveOnShutdown a guest shutdown pauses the guest while the job runs, and QEMU is stopped after
 *     its end ({@code PRESERVE_ON_GUEST_SHUTDOWN})
 */
public record BackupRequest(BackupMode mode, List<DiskRequest> disks, Optional<CheckpointRequest> newCheckpoint,
        Optional<NbdServer> server, boolean reuseExternal, String jobPrefix, long speedLimit, boolean copyRange,
        PullMethod pullMethod, boolean preserveOnShutdown) {

    /** The default job prefix. */
    public static final String DEFAULT_PREFIX = "vb";

    public BackupRequest {
        Objects.requireNonNull(mode, "mode");
        disks = List.copyOf(disks);
        Objects.requireNonNull(newCheckpoint, "newCheckpoint");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(jobPrefix, "jobPrefix");
        Objects.requireNonNull(pullMethod, "pullMethod");
        if (speedLimit < 0) {
            throw new IllegalArgumentException("speedLimit must be >= 0, got " + speedLimit);
        }
    }

    /** The request without {@code PRESERVE_ON_GUEST_SHUTDOWN}. */
    public BackupRequest(BackupMode mode, List<DiskRequest> disks, Optional<CheckpointRequest> newCheckpoint,
            Optional<NbdServer> server, boolean reuseExternal, String jobPrefix, long speedLimit, boolean copyRange,
            PullMethod pullMethod) {
        this(mode, disks, newCheckpoint, server, reuseExternal, jobPrefix, speedLimit, copyRange, pullMethod, false);
    }

    /** The request with classic fleecing for pull. */
    public BackupRequest(BackupMode mode, List<DiskRequest> disks, Optional<CheckpointRequest> newCheckpoint,
            Optional<NbdServer> server, boolean reuseExternal, String jobPrefix, long speedLimit, boolean copyRange) {
        this(mode, disks, newCheckpoint, server, reuseExternal, jobPrefix, speedLimit, copyRange, PullMethod.FLEECING);
    }

    /** The request without a speed limit. */
    public BackupRequest(BackupMode mode, List<DiskRequest> disks, Optional<CheckpointRequest> newCheckpoint,
            Optional<NbdServer> server, boolean reuseExternal, String jobPrefix) {
        this(mode, disks, newCheckpoint, server, reuseExternal, jobPrefix, 0, false);
    }

    /** A push backup with the default prefix. */
    public static BackupRequest push(List<DiskRequest> disks, Optional<CheckpointRequest> checkpoint) {
        return new BackupRequest(BackupMode.PUSH, disks, checkpoint, Optional.empty(), false, DEFAULT_PREFIX);
    }

    /** A pull backup with the default prefix. */
    public static BackupRequest pull(List<DiskRequest> disks, Optional<CheckpointRequest> checkpoint,
            NbdServer server) {
        return new BackupRequest(BackupMode.PULL, disks, checkpoint, Optional.of(server), false, DEFAULT_PREFIX);
    }

    /** A copy with {@code REUSE_EXTERNAL} set as given. */
    public BackupRequest reuseExternal(boolean value) {
        return new BackupRequest(mode, disks, newCheckpoint, server, value, jobPrefix, speedLimit, copyRange,
                pullMethod, preserveOnShutdown);
    }

    /** A copy with another job prefix. */
    public BackupRequest jobPrefix(String value) {
        return new BackupRequest(mode, disks, newCheckpoint, server, reuseExternal, value, speedLimit, copyRange,
                pullMethod, preserveOnShutdown);
    }

    /** A copy with a per-disk copy speed limit (push). */
    public BackupRequest speedLimit(long bytesPerSecond) {
        return new BackupRequest(mode, disks, newCheckpoint, server, reuseExternal, jobPrefix, bytesPerSecond,
                copyRange, pullMethod, preserveOnShutdown);
    }

    /** A copy with {@code copy_file_range} allowed or not (push). */
    public BackupRequest copyRange(boolean value) {
        return new BackupRequest(mode, disks, newCheckpoint, server, reuseExternal, jobPrefix, speedLimit, value,
                pullMethod, preserveOnShutdown);
    }

    /** A copy with another pull method. */
    public BackupRequest pullMethod(PullMethod value) {
        return new BackupRequest(mode, disks, newCheckpoint, server, reuseExternal, jobPrefix, speedLimit, copyRange,
                value, preserveOnShutdown);
    }

    /** A copy with {@code PRESERVE_ON_GUEST_SHUTDOWN} as given. */
    public BackupRequest preserveOnShutdown(boolean value) {
        return new BackupRequest(mode, disks, newCheckpoint, server, reuseExternal, jobPrefix, speedLimit, copyRange,
                pullMethod, value);
    }

    /** Whether this is a pull backup through a copy-before-write filter. */
    public boolean cbw() {
        return mode == BackupMode.PULL && pullMethod == PullMethod.CBW;
    }
}
