// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.launch;

/** The machines {@link EmbeddedQemu} can run. Neither boots a guest OS. */
public enum MachineType {
    /**
     * {@code -machine q35,accel=tcg -S}: a paused PC whose disks are virtio-blk-pci devices, so a disk's name
     * discovered via qdev is its device id, as for a libvirt guest. TCG, not KVM, so it runs anywhere; the
     * CPUs never start, and guest writes go through the device's BlockBackend (qemu-7.2-qmp-notes.md §3).
     */
    Q35_TCG("q35,accel=tcg"),
    /**
     * {@code -machine none}: no bus and no devices, only {@code -blockdev} nodes, like qemu-storage-daemon.
     * The machine runs from the start (there is nothing to run). Guest writes go to the format node through a
     * temporary BlockBackend, so while a backup job or filter holds that node they fail with a permission
     * conflict (qemu-7.2-qmp-notes.md §8, gotcha 3); use {@link #Q35_TCG} to write during a backup.
     */
    NONE("none");

    private final String machineArg;

    MachineType(String machineArg) {
        this.machineArg = machineArg;
    }

    /** The value of {@code -machine}. */
    public String machineArg() {
        return machineArg;
    }
}
