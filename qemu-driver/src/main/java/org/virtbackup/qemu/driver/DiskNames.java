// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.block.BlockDisk;
import org.virtbackup.qemu.block.BlockGraph;
import org.virtbackup.xml.model.DomainDef;
import org.virtbackup.xml.model.DomainDiskDef;

/**
 * Matches a caller's libvirt {@code <domain>} to the disks QEMU reports, so that backup and checkpoint XML can
 * use the domain's target names. libvirt starts QEMU with device ids such as {@code virtio-disk0}, which its
 * {@code <alias name=…>} records; a disk is matched by alias, else by target name, else by source path.
 */
final class DiskNames {

    private DiskNames() {
    }

    /**
     * The renaming from QEMU's disk names to the domain's target names.
     *
     * @throws VirtBackupException {@link ErrorCode#CONFIG_UNSUPPORTED} for a domain disk with media that
     *     matches no QEMU disk
     */
    static Map<String, String> match(BlockGraph graph, DomainDef domain) {
        Map<String, String> names = new LinkedHashMap<>();
        for (DomainDiskDef d : domain.disks()) {
            if (d.isEmpty()) {
                continue;
            }
            BlockDisk disk = byName(graph, d.alias()).or(() -> byName(graph, Optional.of(d.targetDev())))
                    .or(() -> bySource(graph, d.sourcePath()))
                    .orElseThrow(() -> new VirtBackupException(ErrorCode.CONFIG_UNSUPPORTED, ErrorDomain.QEMU,
                            "disk '" + d.targetDev() + "' of the domain XML matches no disk of QEMU by alias, "
                                    + "target name or source path; QEMU has " + graph.disks().stream()
                                            .map(BlockDisk::name).toList()));
            if (names.containsKey(disk.name())) {
                throw new VirtBackupException(ErrorCode.CONFIG_UNSUPPORTED, ErrorDomain.QEMU, "disks '"
                        + names.get(disk.name()) + "' and '" + d.targetDev() + "' of the domain XML both match QEMU's '"
                        + disk.name() + "'");
            }
            names.put(disk.name(), d.targetDev());
        }
        return names;
    }

    private static Optional<BlockDisk> byName(BlockGraph graph, Optional<String> name) {
        return name.flatMap(graph::disk);
    }

    private static Optional<BlockDisk> bySource(BlockGraph graph, Optional<String> path) {
        return path.flatMap(p -> graph.disks().stream()
                .filter(b -> b.hasMedia() && b.top().filename().equals(p)).findFirst());
    }
}
