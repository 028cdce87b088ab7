// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One disk of a validated backup, with everything the start and end plans need: the request, what the
 * block graph said about the source, and the derived names.
 *
 * @param request the disk request
 * @param sourceNode the disk's top node, the device of {@code blockdev-backup}
 * @param sourceFile the top image's filename (libvirt's fallback backing file)
 * @param sourceFormat the top image's format driver
 * @param sourceSize the virtual size: the size of the new target or scratch image
 * @param sourceClusterSize the cluster size copied to a qcow2 target, 0 for none
 * @param incremental the bitmap work of an incremental disk
 * @param storageNode the target (push) or scratch (pull) storage node
 * @param formatNode the target or scratch format node, the {@code target} of {@code blockdev-backup}
 * @param jobId the backup job id
 * @param exportId pull: the block export id
 * @param createsFile whether virtbackup creates (and may delete) the file at {@code request.path()}
 * @param cbw pull through a copy-before-write filter: its nodes and the device it is put under
 */
public record ResolvedDisk(DiskRequest request, String sourceNode, String sourceFile, String sourceFormat,
        long sourceSize, long sourceClusterSize, Optional<Incremental> incremental, String storageNode,
        String formatNode, String jobId, Optional<String> exportId, boolean createsFile, Optional<Cbw> cbw) {

    /**
     * The copy-before-write pull of one disk (qemu-7.2-qmp-notes.md §3 variants B, C).
     *
     * @param filterNode the {@code copy-before-write} node: file = the source top node, target = the scratch
     * @param snapshotNode the {@code snapshot-access} node over the filter, the exported node
     * @param devicePath the QOM path of the guest device whose {@code drive} is moved onto the filter
     * @param probeNode the short-lived read-only node over the snapshot-access node with which the driver checks
     *     that the snapshot is still readable (QEMU 7.2 reports a broken snapshot by no event)
     */
    public record Cbw(String filterNode, String snapshotNode, String devicePath, String probeNode) {
        public Cbw {
            Objects.requireNonNull(filterNode, "filterNode");
            Objects.requireNonNull(probeNode, "probeNode");
            Objects.requireNonNull(snapshotNode, "snapshotNode");
            Objects.requireNonNull(devicePath, "devicePath");
        }
    }

    /**
     * The temporary bitmap of an incremental disk: added disabled and non-persistent with the source
     * bitmap's granularity, filled by merging the checkpoint bitmap of every layer that has it (top first,
     * never an empty list), removed at the end (libvirt-backup-reference.md §4.3, §4.4).
     *
     * @param checkpoint the checkpoint the backup starts at
     * @param granularity the granularity of the checkpoint bitmap on the top layer
     * @param sources the checkpoint bitmap in each layer that has it, top first
     * @param temporary where the temporary bitmap lives: the source top node (push, cbw pull) or the scratch
     *     node (fleecing pull)
     */
    public record Incremental(String checkpoint, long granularity, List<BitmapRef> sources, BitmapRef temporary) {
        public Incremental {
            Objects.requireNonNull(checkpoint, "checkpoint");
            sources = List.copyOf(sources);
            Objects.requireNonNull(temporary, "temporary");
        }
    }

    public ResolvedDisk {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(sourceNode, "sourceNode");
        Objects.requireNonNull(sourceFile, "sourceFile");
        Objects.requireNonNull(sourceFormat, "sourceFormat");
        Objects.requireNonNull(incremental, "incremental");
        Objects.requireNonNull(storageNode, "storageNode");
        Objects.requireNonNull(formatNode, "formatNode");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(exportId, "exportId");
        Objects.requireNonNull(cbw, "cbw");
    }

    /** The node the export reads: the snapshot-access node (cbw) or the scratch format node (fleecing). */
    public String exportedNode() {
        return cbw.map(Cbw::snapshotNode).orElse(formatNode);
    }

    /** The disk name. */
    public String disk() {
        return request.disk();
    }
}
