// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.virtbackup.api.BackupMode;
import org.virtbackup.qemu.plan.PullMethod;
import org.virtbackup.qemu.plan.Resource;
import org.virtbackup.qemu.qmp.QemuCapabilities;

/**
 * The running backup job as persisted in {@code <state>/<domain>/backup.json}: enough to report on it, end
 * it, or clean up after it from any process. QEMU stays the source of truth; this is the list of what to
 * look for (SPEC §2).
 *
 * <p>The plan is not stored: it is a pure function of what is stored here (the aligned definition, the start
 * options, the checkpoint bitmaps read at start, the backing targets, the block graph read at start and the
 * capabilities of the QEMU it ran on), so every process computes the same layout, also after QEMU died.
 * Nothing is taken from the settings of the connection that looks at the job later.
 *
 * @param jobId the job's id
 * @param mode push or pull
 * @param phase where the job is in its life
 * @param startedAtMillis when the job started, epoch milliseconds
 * @param options the options the job started with
 * @param alignedXml the aligned backup definition in libvirt's internal form (with {@code index})
 * @param checkpoint the checkpoint created with the backup, or null
 * @param checkpointDisks the disks that checkpoint has a bitmap on
 * @param sourceBitmaps per checkpoint an incremental disk starts from: the bitmap each disk recorded, by disk
 * @param backingTargets per disk, the previous backup an incremental qcow2 target records as backing file
 * @param queryBlock {@code query-block} at start
 * @param namedNodes {@code query-named-block-nodes} at start
 * @param diskNames QEMU's disk names → the caller's libvirt target names, when a domain XML mapped them
 * @param capabilities what the QEMU the job started on could do
 * @param guestWasRunning the start plan pauses the guest, and it was running: an end of a start that never
 *     finished resumes it
 * @param created everything the start plan may create, recorded before it ran (see {@link JobStore})
 * @param notes remarks for the job info (e.g. disks backed up in full instead of incrementally)
 */
public record JobRecord(String jobId, BackupMode mode, Phase phase, long startedAtMillis, Options options,
        String alignedXml, String checkpoint, List<String> checkpointDisks,
        Map<String, Map<String, String>> sourceBitmaps, Map<String, BackingRef> backingTargets, JsonNode queryBlock,
        JsonNode namedNodes, Map<String, String> diskNames, QemuCapabilities capabilities, boolean guestWasRunning,
        List<Resource> created, List<String> notes) {

    /** Where a job is in its life. */
    public enum Phase {
        /** The start plan runs (or ran, and its process died before it finished). */
        STARTING,
        /** The start plan completed: the job runs. */
        RUNNING,
        /** An end decided how the job ended (recorded in last-job.json) and tears it down. */
        ENDING
    }

    /**
     * The options a job started with.
     *
     * @param reuseExternal {@code REUSE_EXTERNAL}
     * @param fallbackFull {@code INCREMENTAL_FALLBACK_FULL}
     * @param tlsDir the x509 directory of a TLS pull, or null
     * @param speedLimit push: each disk's copy limit in bytes per second, 0 for none (changed by setSpeed)
     * @param copyRange push: {@code copy_file_range} asked for
     * @param pullMethod pull: fleecing or copy-before-write
     * @param preserveOnShutdown {@code PRESERVE_ON_GUEST_SHUTDOWN}
     */
    public record Options(boolean reuseExternal, boolean fallbackFull, String tlsDir, long speedLimit,
            boolean copyRange, PullMethod pullMethod, boolean preserveOnShutdown) {
        public Options {
            Objects.requireNonNull(pullMethod, "pullMethod");
        }

        /** The TLS directory, if any. */
        public Optional<String> tls() {
            return Optional.ofNullable(tlsDir);
        }

        /** A copy with another speed limit. */
        public Options withSpeedLimit(long bytesPerSecond) {
            return new Options(reuseExternal, fallbackFull, tlsDir, bytesPerSecond, copyRange, pullMethod,
                    preserveOnShutdown);
        }
    }

    /**
     * A previous backup image.
     *
     * @param path its path
     * @param format {@code qcow2} or {@code raw}
     */
    public record BackingRef(String path, String format) {
    }

    public JobRecord {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(capabilities, "capabilities");
        checkpointDisks = List.copyOf(checkpointDisks);
        sourceBitmaps = sourceBitmaps == null ? Map.of() : Map.copyOf(sourceBitmaps);
        backingTargets = Map.copyOf(backingTargets);
        diskNames = diskNames == null ? Map.of() : Map.copyOf(diskNames);
        created = List.copyOf(created);
        notes = List.copyOf(notes);
    }

    /** The checkpoint created with the backup, if any. */
    public Optional<String> newCheckpoint() {
        return Optional.ofNullable(checkpoint);
    }

    /** A copy in another phase. */
    public JobRecord withPhase(Phase newPhase) {
        return new JobRecord(jobId, mode, newPhase, startedAtMillis, options, alignedXml, checkpoint, checkpointDisks,
                sourceBitmaps, backingTargets, queryBlock, namedNodes, diskNames, capabilities, guestWasRunning,
                created, notes);
    }

    /**
     * The record of a start that finished: phase {@link Phase#RUNNING}, only {@code remaining} listed as created
     * (the start's create jobs are dismissed), and no guest left for an end to resume (the start resumed the one
     * it paused; a guest paused later was paused by someone else).
     */
    public JobRecord started(List<Resource> remaining) {
        return new JobRecord(jobId, mode, Phase.RUNNING, startedAtMillis, options, alignedXml, checkpoint,
                checkpointDisks, sourceBitmaps, backingTargets, queryBlock, namedNodes, diskNames, capabilities, false,
                remaining, notes);
    }

    /** A copy with other options. */
    public JobRecord withOptions(Options newOptions) {
        return new JobRecord(jobId, mode, phase, startedAtMillis, newOptions, alignedXml, checkpoint, checkpointDisks,
                sourceBitmaps, backingTargets, queryBlock, namedNodes, diskNames, capabilities, guestWasRunning,
                created, notes);
    }

    /** A copy listing only {@code applied} as created (a start whose rollback failed part-way). */
    public JobRecord withCreated(List<Resource> applied) {
        return new JobRecord(jobId, mode, phase, startedAtMillis, options, alignedXml, checkpoint, checkpointDisks,
                sourceBitmaps, backingTargets, queryBlock, namedNodes, diskNames, capabilities, guestWasRunning,
                applied, notes);
    }
}
