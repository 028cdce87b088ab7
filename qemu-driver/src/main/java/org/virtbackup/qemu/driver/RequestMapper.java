// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.block.BlockDisk;
import org.virtbackup.qemu.block.BlockGraph;
import org.virtbackup.qemu.plan.BackupRequest;
import org.virtbackup.qemu.plan.CheckpointRequest;
import org.virtbackup.qemu.plan.DiskRequest;
import org.virtbackup.qemu.plan.NbdAddress;
import org.virtbackup.qemu.plan.NbdServer;
import org.virtbackup.qemu.plan.PullMethod;
import org.virtbackup.qemu.store.JobRecord.BackingRef;
import org.virtbackup.xml.model.BackupDef;
import org.virtbackup.xml.model.BackupDiskDef;
import org.virtbackup.xml.model.BackupDiskState;
import org.virtbackup.xml.model.CheckpointDef;
import org.virtbackup.xml.model.CheckpointDiskDef;
import org.virtbackup.xml.model.CheckpointType;
import org.virtbackup.xml.model.DiskBackupMode;
import org.virtbackup.xml.model.ServerDef;
import org.virtbackup.xml.model.StoreType;

/**
 * Turns an aligned libvirt backup definition into the planner's request. Pure apart from checking that a
 * previous backup image still exists before naming it as a backing file.
 */
final class RequestMapper {

    private RequestMapper() {
    }

    /**
     * The mapped request.
     *
     * @param aligned the definition to show: with index, and with fallback disks turned into full backups
     * @param request the planner's input
     * @param backingTargets the previous backup each incremental qcow2 target names as backing file
     * @param notes what the job info should tell (fallbacks)
     */
    record Mapped(BackupDef aligned, BackupRequest request, Map<String, BackingRef> backingTargets, List<String> notes) {
    }

    /** Settings that do not come from the XML. */
    record Options(boolean reuseExternal, boolean fallbackFull, Optional<String> tlsDir, boolean tlsVerifyPeer,
            long speedLimit, boolean copyRange, PullMethod pullMethod, boolean preserveOnShutdown) {
    }

    /**
     * Maps {@code aligned} to the planner's request.
     *
     * @param bitmaps for a checkpoint name, the bitmap each of its disks records changes in: the checkpoint's
     *     name unless a redefined checkpoint named another ({@code <disk bitmap='...'>})
     * @param previousTargets for a checkpoint name, the targets of the push backup that created it
     */
    static Mapped map(BackupDef aligned, Optional<CheckpointRequest> checkpoint, Options options, BlockGraph graph,
            Function<String, Map<String, String>> bitmaps, Function<String, Map<String, BackingRef>> previousTargets) {
        List<BackupDiskDef> disks = new ArrayList<>();
        List<DiskRequest> requests = new ArrayList<>();
        Map<String, BackingRef> backing = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        int index = 0;
        for (BackupDiskDef d : aligned.disks()) {
            if (!d.backup()) {
                disks.add(d);
                continue;
            }
            Optional<String> bitmap = d.incremental().map(cp -> bitmaps.apply(cp).getOrDefault(d.name(), cp));
            BackupDiskDef disk = fallBackIfNeeded(d, bitmap, graph, options.fallbackFull(), notes).withIndex(++index)
                    .withState(Optional.of(BackupDiskState.RUNNING));
            disks.add(disk);
            DiskRequest r = diskRequest(disk, bitmap);
            Optional<BackingRef> prev = previous(aligned.mode(), disk, r, previousTargets);
            if (prev.isPresent()) {
                backing.put(disk.name(), prev.get());
                r = r.backingTarget(prev.get().path(), DiskRequest.TargetFormat.valueOf(prev.get().format().toUpperCase()));
            }
            requests.add(r);
        }
        Optional<NbdServer> server = aligned.server().map(s -> server(s, options));
        BackupRequest request = new BackupRequest(aligned.mode(), requests, checkpoint, server, options.reuseExternal(),
                BackupRequest.DEFAULT_PREFIX, options.speedLimit(), options.copyRange(),
                options.pullMethod(), options.preserveOnShutdown());
        return new Mapped(aligned.withDisks(disks), request, backing, notes);
    }

    /**
     * Beyond libvirt ({@code INCREMENTAL_FALLBACK_FULL}): an incremental disk whose checkpoint bitmap chain is
     * unusable is backed up in full. Without the flag the planner refuses it (CHECKPOINT_INCONSISTENT).
     */
    private static BackupDiskDef fallBackIfNeeded(BackupDiskDef d, Optional<String> bitmap, BlockGraph graph,
            boolean fallback, List<String> notes) {
        if (!fallback || d.backupMode().orElse(DiskBackupMode.FULL) != DiskBackupMode.INCREMENTAL) {
            return d;
        }
        String cp = d.incremental().orElseThrow();
        Optional<String> problem = graph.disk(d.name()).flatMap((BlockDisk b) -> b.bitmapChainProblem(bitmap.orElseThrow()));
        if (problem.isEmpty()) {
            return d;
        }
        notes.add("disk '" + d.name() + "' backed up in full instead of incrementally since '" + cp + "': " + problem.get());
        return d.withBackupMode(DiskBackupMode.FULL).withIncremental(Optional.empty());
    }

    /** The bitmap each bitmap disk of {@code c} records changes in. */
    static Map<String, String> bitmaps(CheckpointDef c) {
        Map<String, String> m = new LinkedHashMap<>();
        c.disks().stream().filter(x -> x.checkpoint() == CheckpointType.BITMAP)
                .forEach(x -> m.put(x.name(), x.bitmap().orElse(c.name().orElseThrow())));
        return m;
    }

    /** The checkpoint's bitmap disks, as the planner wants them. */
    static CheckpointRequest checkpointRequest(CheckpointDef c) {
        return new CheckpointRequest(c.name().orElseThrow(), c.disks().stream()
                .filter(x -> x.checkpoint() == CheckpointType.BITMAP).map(CheckpointDiskDef::name).toList());
    }

    private static DiskRequest diskRequest(BackupDiskDef d, Optional<String> bitmap) {
        String path = d.store().flatMap(s -> s.path()).orElseThrow(() -> new VirtBackupException(
                ErrorCode.INTERNAL_ERROR, ErrorDomain.QEMU, "disk '" + d.name() + "' has no target after alignment"));
        DiskRequest r = new DiskRequest(d.name(), Optional.empty(),
                d.storeType() == StoreType.BLOCK ? DiskRequest.StoreType.BLOCK : DiskRequest.StoreType.FILE, path,
                format(d), d.exportName(), d.exportBitmap(), Optional.empty());
        if (d.backupMode().orElse(DiskBackupMode.FULL) == DiskBackupMode.INCREMENTAL) {
            r = r.since(bitmap.orElseThrow());
        }
        return r;
    }

    private static DiskRequest.TargetFormat format(BackupDiskDef d) {
        String f = d.driverType().orElse("qcow2");
        return switch (f) {
            case "qcow2" -> DiskRequest.TargetFormat.QCOW2;
            case "raw" -> DiskRequest.TargetFormat.RAW;
            default -> throw new VirtBackupException(ErrorCode.CONFIG_UNSUPPORTED, ErrorDomain.QEMU,
                    "target format '" + f + "' of disk '" + d.name() + "' is not supported: use qcow2 or raw");
        };
    }

    /** Push incremental into qcow2: the target of the backup that created the checkpoint, if still there. */
    private static Optional<BackingRef> previous(BackupMode mode, BackupDiskDef disk, DiskRequest r,
            Function<String, Map<String, BackingRef>> previousTargets) {
        if (mode != BackupMode.PUSH || !r.isIncremental() || r.format() != DiskRequest.TargetFormat.QCOW2) {
            return Optional.empty();
        }
        return Optional.ofNullable(previousTargets.apply(disk.incremental().orElseThrow()).get(disk.name()))
                .filter(b -> Files.exists(Path.of(b.path())));
    }

    private static NbdServer server(ServerDef s, Options options) {
        NbdAddress address = switch (s.transport()) {
            case UNIX -> new NbdAddress.Unix(s.socket().orElseThrow());
            case FD -> NbdAddress.Fd.of(s.fdgroup().orElseThrow(), BackupRequest.DEFAULT_PREFIX);
            default -> new NbdAddress.Inet(s.name().orElse("localhost"), s.port().orElseThrow());
        };
        NbdServer server = new NbdServer(address, Optional.empty(), false);
        if (s.tls().orElse(false)) {
            String dir = options.tlsDir().orElseThrow(() -> new VirtBackupException(ErrorCode.OPERATION_INVALID,
                    ErrorDomain.QEMU, "backup TLS directory not configured: set VIRTBACKUP_BACKUP_TLS_DIR "
                            + "(or the connection option tlsDir) to an x509 directory with server-cert.pem, "
                            + "server-key.pem and ca-cert.pem"));
            server = server.tls(dir, options.tlsVerifyPeer());
        }
        return server;
    }
}
