// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * A running libvirt domain with qcow2 disks {@code vda}, {@code vdb}, ... and no guest OS: nothing writes the disks
 * but the test ({@link #guestWrite}), so an image copied at a point in time can be compared with the source
 * later. Closing destroys and undefines it, checkpoint metadata included.
 */
public final class TestDomain implements AutoCloseable {
    /** {@code VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA}. */
    private static final int UNDEFINE_CHECKPOINTS_METADATA = 1 << 4;
    /** {@code VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP}. */
    private static final int MONITOR_HMP = 1;

    private final Domain dom;
    private final String name;
    private final Path dir;
    private final int disks;

    private TestDomain(Domain dom, String name, Path dir, int disks) {
        this.dom = dom;
        this.name = name;
        this.dir = dir;
        this.disks = disks;
    }

    /**
     * Creates {@code disks} qcow2 images of {@code mib} MiB in {@code dir} with data (disk i: pattern 0x11+i at
     * MiB 0 and 5), defines the domain and starts it.
     */
    public static TestDomain start(Connect admin, String name, Path dir, int disks, int mib) throws LibvirtException {
        StringBuilder xml = new StringBuilder();
        xml.append("<domain type='qemu'>\n  <name>").append(name).append("</name>\n")
                .append("  <memory unit='MiB'>128</memory>\n  <vcpu>1</vcpu>\n")
                .append("  <os><type arch='x86_64' machine='q35'>hvm</type><boot dev='hd'/></os>\n")
                .append("  <devices>\n    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n");
        for (int i = 0; i < disks; i++) {
            String dev = dev(i);
            Path image = dir.resolve(dev + ".qcow2");
            Tools.qcow2(image, mib, 0x11 + i, 0, 5);
            xml.append("    <disk type='file' device='disk'>\n      <driver name='qemu' type='qcow2'/>\n")
                    .append("      <source file='").append(image).append("'/>\n")
                    .append("      <target dev='").append(dev).append("' bus='virtio'/>\n    </disk>\n");
        }
        xml.append("    <controller type='usb' model='none'/>\n    <memballoon model='none'/>\n")
                .append("  </devices>\n</domain>\n");
        Domain dom = admin.domainDefineXML(xml.toString());
        try {
            dom.create();
        } catch (LibvirtException e) {
            dom.undefine(UNDEFINE_CHECKPOINTS_METADATA);
            throw e;
        }
        return new TestDomain(dom, name, dir, disks);
    }

    /** {@code vda}, {@code vdb}, ... */
    public static String dev(int index) {
        return "vd" + (char) ('a' + index);
    }

    public String name() {
        return name;
    }

    /** The image of disk {@code dev}. */
    public Path disk(String dev) {
        return dir.resolve(dev + ".qcow2");
    }

    /** The disks' names. */
    public List<String> devs() {
        List<String> devs = new ArrayList<>();
        for (int i = 0; i < disks; i++) {
            devs.add(dev(i));
        }
        return devs;
    }

    /**
     * Writes 1 MiB of {@code pattern} at {@code offsetMib} of disk {@code index} as the guest would (QEMU's
     * {@code qemu-io} through the monitor, on the device libvirt names {@code virtio-disk<index>}), then flushes.
     */
    public void guestWrite(int index, int pattern, int offsetMib) throws LibvirtException {
        String device = "/machine/peripheral/virtio-disk" + index + "/virtio-backend";
        hmp("qemu-io -d " + device + " \"write -P " + pattern + " " + offsetMib + "M 1M\"");
        hmp("qemu-io -d " + device + " \"flush\"");
    }

    /** The libvirt-java domain, for set-up the API does not do. */
    public Domain libvirt() {
        return dom;
    }

    private String hmp(String command) throws LibvirtException {
        String out = dom.qemuMonitorCommand(command, MONITOR_HMP);
        if (out.contains("error") || out.contains("Error")) {
            throw new IllegalStateException("HMP '" + command + "': " + out);
        }
        return out;
    }

    @Override
    public void close() throws LibvirtException {
        try {
            if (dom.isActive() == 1) {
                dom.destroy();
            }
        } finally {
            dom.undefine(UNDEFINE_CHECKPOINTS_METADATA);
        }
    }
}
