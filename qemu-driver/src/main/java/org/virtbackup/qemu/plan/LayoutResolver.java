// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.block.BitmapInfo;
import org.virtbackup.qemu.block.BlockDisk;
import org.virtbackup.qemu.block.BlockGraph;
import org.virtbackup.qemu.block.BlockLayer;
import org.virtbackup.qemu.qmp.QemuCapabilities;

/** Validates a {@link BackupRequest} against the block graph and resolves it into a {@link BackupLayout}. */
final class LayoutResolver {
    private LayoutResolver() {
    }

    static BackupLayout resolve(BackupRequest r, BlockGraph graph, QemuCapabilities caps) {
        checkShape(r, caps);
        List<ResolvedDisk> disks = r.disks().stream().map(d -> resolveOne(r, d, graph)).toList();
        checkLeftovers(disks, graph);
        List<BitmapRef> checkpoint = r.newCheckpoint()
                .map(c -> CheckpointPlanner.checkpointBitmaps(c, graph))
                .orElse(List.of());
        Optional<String> tls = r.server().flatMap(NbdServer::tlsDir).map(x -> Names.tlsObject(r.jobPrefix()));
        return new BackupLayout(r, disks, checkpoint, tls);
    }

    /** Checks that need no block graph; messages are libvirt's (libvirt-backup-reference.md §3.5). */
    private static void checkShape(BackupRequest r, QemuCapabilities caps) {
        if (r.disks().isEmpty()) {
            throw Errors.configUnsupported("no disks selected for backup");
        }
        Set<String> seen = new HashSet<>();
        Set<String> exports = new HashSet<>();
        for (DiskRequest d : r.disks()) {
            if (!seen.add(d.disk())) {
                throw Errors.configUnsupported("disk '" + d.disk() + "' specified twice");
            }
            if (r.mode() == BackupMode.PULL && !exports.add(d.effectiveExportName())) {
                throw Errors.configUnsupported("export name '" + d.effectiveExportName() + "' used twice");
            }
        }
        if (r.mode() == BackupMode.PUSH && r.server().isPresent()) {
            throw Errors.configUnsupported("use of <server> requires pull mode backup");
        }
        if (r.mode() == BackupMode.PULL) {
            checkPull(r, caps);
        }
    }

    private static void checkPull(BackupRequest r, QemuCapabilities caps) {
        NbdServer server = r.server().orElseThrow(() -> Errors.operationUnsupported(
                "<domainbackup> must specify TCP port for now"));
        if (server.address() instanceof NbdAddress.Unix u && !u.path().startsWith("/")) {
            throw new VirtBackupException(ErrorCode.XML_ERROR, ErrorDomain.QEMU,
                    "backup socket path '" + u.path() + "' must be absolute");
        }
        if (!caps.blockExportAdd()) {
            throw Errors.operationUnsupported("pull mode backup needs 'block-export-add', which this QEMU lacks");
        }
        if (r.cbw() && !(caps.copyBeforeWrite() && caps.snapshotAccess() && caps.cbwOnError())) {
            throw Errors.operationUnsupported("pull method 'cbw' needs the 'copy-before-write' block driver with "
                    + "'on-cbw-error' and the 'snapshot-access' driver, which this QEMU lacks; use 'fleecing'");
        }
        for (DiskRequest d : r.disks()) {
            if (d.format() != DiskRequest.TargetFormat.QCOW2) {
                throw Errors.configUnsupported("pull mode backup for disk '" + d.disk() + "' requires qcow2 driver");
            }
        }
    }

    private static ResolvedDisk resolveOne(BackupRequest r, DiskRequest d, BlockGraph graph) {
        BlockDisk disk = graph.disk(d.disk())
                .orElseThrow(() -> Errors.configUnsupported("no disk named '" + d.disk() + "'"));
        if (!disk.hasMedia()) {
            throw Errors.configUnsupported("disk '" + d.disk() + "' has no media");
        }
        boolean push = r.mode() == BackupMode.PUSH;
        checkBackingTarget(d, push);
        Names names = new Names(r.jobPrefix(), d.disk(), Names.role(r));
        BlockLayer top = disk.top();
        // cbw: the scratch has no backing, so the temporary bitmap lives on the source (notes §3 C)
        BitmapRef temp = push ? new BitmapRef(top.nodeName(), "backup-" + d.disk())
                : new BitmapRef(r.cbw() ? top.nodeName() : names.formatNode(), d.temporaryBitmap());
        Optional<ResolvedDisk.Incremental> inc = d.incrementalSince().map(cp -> incremental(d, disk, cp, temp));
        Optional<ResolvedDisk.Cbw> cbw = r.cbw() ? Optional.of(cbw(disk, names)) : Optional.empty();
        return new ResolvedDisk(d, top.nodeName(), top.filename(), top.driver(), top.virtualSize(),
                top.clusterSize(), inc, names.storageNode(), names.formatNode(), names.backupJob(),
                push ? Optional.empty() : Optional.of(names.exportId()),
                d.store() == DiskRequest.StoreType.FILE && !r.reuseExternal(), cbw);
    }

    private static ResolvedDisk.Cbw cbw(BlockDisk disk, Names names) {
        String device = disk.qdev().orElseThrow(() -> Errors.operationUnsupported("disk '" + disk.name()
                + "' has no guest device to put a copy-before-write filter under"));
        return new ResolvedDisk.Cbw(names.cbwNode(), names.snapshotNode(), device, names.probeNode());
    }

    private static void checkBackingTarget(DiskRequest d, boolean push) {
        if (d.backingTarget().isEmpty()) {
            return;
        }
        if (!push || !d.isIncremental() || d.format() != DiskRequest.TargetFormat.QCOW2) {
            throw Errors.invalidArg("a backing target for disk '" + d.disk()
                    + "' needs an incremental push backup into qcow2");
        }
    }

    /**
     * The merge sources: the checkpoint bitmap of every layer that has it, top first. The chain check runs
     * first, so the list is never empty (an empty merge crashes QEMU 7.2, notes §8 gotcha 1).
     */
    private static ResolvedDisk.Incremental incremental(DiskRequest d, BlockDisk disk, String cp, BitmapRef temp) {
        disk.bitmapChainProblem(cp).ifPresent(reason -> {
            throw Errors.brokenBitmap(cp, d.disk(), reason);
        });
        if (disk.top().hasBitmap(temp.name()) && disk.topNodeName().equals(temp.node())) {
            throw Errors.operationInvalid("temporary bitmap '" + temp.name() + "' already exists on disk '"
                    + d.disk() + "'; end or clean up the earlier backup job first");
        }
        long granularity = disk.top().bitmap(cp).map(BitmapInfo::granularity).orElseThrow();
        List<BitmapRef> sources = disk.layersWithBitmap(cp).stream()
                .map(l -> new BitmapRef(l.nodeName(), cp)).toList();
        return new ResolvedDisk.Incremental(cp, granularity, sources, temp);
    }

    private static void checkLeftovers(List<ResolvedDisk> disks, BlockGraph graph) {
        for (ResolvedDisk d : disks) {
            List<String> nodes = new java.util.ArrayList<>(List.of(d.storageNode(), d.formatNode()));
            d.cbw().ifPresent(c -> nodes.addAll(List.of(c.filterNode(), c.snapshotNode())));
            for (String node : nodes) {
                if (graph.nodeNames().contains(node)) {
                    throw Errors.operationInvalid("block node '" + node + "' already exists; end or clean up "
                            + "the earlier backup job first");
                }
            }
        }
    }
}
