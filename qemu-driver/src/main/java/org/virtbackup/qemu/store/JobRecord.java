// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The running backup job as persisted in {@code <state>/<domain>/backup.json}: enough to report on it, end
 * it, or clean up after it from any process. QEMU stays the source of truth; this is the list of what to
 * look for (SPEC §2).
 *
 * <p>The plan is not stored: it is a pure function of the aligned definition, the flags, the backing
 * targets and the block graph read at start, which are stored, so every process computes the same layout.
 *
 * @param jobId the job's id
 * @param mode {@code push} or {@code pull}
 * @param startedAtMillis when the job started, epoch milliseconds
 * @param flags the {@link org.virtbackup.api.BackupStartFlag} names
 * @param alignedXml the aligned backup definition in libvirt's internal form (with {@code index})
 * @param checkpoint the checkpoint created with the backup, or null
 * @param checkpointDisks the disks that checkpoint has a bitmap on
 * @param backingTargets per disk, the previous backup an incremental qcow2 target records as backing file
 * @param queryBlock {@code query-block} at start
 * @param namedNodes {@code query-named-block-nodes} at start
 * @param phase {@code starting} until the start plan completed, then {@code running}; {@code ending} once an
 *     end decided the outcome and began tearing down
 * @param created every resource a step recorded before it ran
 * @param notes remarks for the job info (e.g. disks backed up in full instead of incrementally)
 * @param diskNames QEMU's disk names → the caller's libvirt target names, when a domain XML mapped them
 */
public record JobRecord(String jobId, String mode, long startedAtMillis, List<String> flags, String alignedXml,
        String checkpoint, List<String> checkpointDisks, Map<String, BackingRef> backingTargets, JsonNode queryBlock,
        JsonNode namedNodes, String phase, List<JsonNode> created, List<String> notes, Map<String, String> diskNames) {

    /** Phase while the start plan runs. */
    public static final String STARTING = "starting";
    /** Phase once the job runs. */
    public static final String RUNNING = "running";
    /** Phase once an end decided how the job ended (recorded in last-job.json) and began tearing down. */
    public static final String ENDING = "ending";

    /**
     * A previous backup image.
     *
     * @param path its path
     * @param format {@code qcow2} or {@code raw}
     */
    public record BackingRef(String path, String format) {
    }

    public JobRecord {
        flags = List.copyOf(flags);
        checkpointDisks = List.copyOf(checkpointDisks);
        backingTargets = Map.copyOf(backingTargets);
        created = List.copyOf(created);
        notes = List.copyOf(notes);
        diskNames = diskNames == null ? Map.of() : Map.copyOf(diskNames);
    }

    /** A copy in another phase. */
    public JobRecord withPhase(String newPhase) {
        return new JobRecord(jobId, mode, startedAtMillis, flags, alignedXml, checkpoint, checkpointDisks,
                backingTargets, queryBlock, namedNodes, newPhase, created, notes, diskNames);
    }

    /**
     * The mark a start records, before its plan runs, when the plan pauses a guest that is running: a start that
     * dies while the guest is paused leaves it to the end to resume it.
     */
    public static JsonNode guestWasRunning() {
        return JsonNodeFactory.instance.objectNode().put("guest", "running");
    }

    /** Whether the start paused a running guest and never got to resume it (it died before its end). */
    public boolean guestToResume() {
        return created.contains(guestWasRunning());
    }

    /** The record once the start plan completed: phase running, the guest (if paused) resumed. */
    public JobRecord started() {
        List<JsonNode> rest = created.stream().filter(n -> !n.equals(guestWasRunning())).toList();
        return new JobRecord(jobId, mode, startedAtMillis, flags, alignedXml, checkpoint, checkpointDisks,
                backingTargets, queryBlock, namedNodes, RUNNING, rest, notes, diskNames);
    }

    /** A copy with more recorded resources. */
    public JobRecord withCreated(List<JsonNode> more) {
        List<JsonNode> all = new ArrayList<>(created);
        all.addAll(more);
        return new JobRecord(jobId, mode, startedAtMillis, flags, alignedXml, checkpoint, checkpointDisks,
                backingTargets, queryBlock, namedNodes, phase, all, notes, diskNames);
    }
}
