// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.virtbackup.libvirt.EventLoop;

/**
 * A domain run by libvirt's embedded QEMU driver ({@code qemu:///embed?root=DIR}, no daemon) in this process, with
 * the given qcow2 disks ({@code vda}, {@code vdb}, ...) and no guest OS. The root's {@code qemu.conf} runs QEMU as
 * root without a security driver, namespaces or cgroups (as the libvirt-driver tests do). {@link #close()}
 * destroys and undefines the domain, checkpoint metadata included, and closes the connection; the root is the
 * caller's to delete.
 */
final class LibvirtVm implements AutoCloseable {
    static final String NAME = "vb-bench";
    /** {@code VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA}. */
    private static final int UNDEFINE_CHECKPOINTS_METADATA = 1 << 4;
    /** {@code VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP}. */
    private static final int MONITOR_HMP = 1;

    private final Path root;
    private final Connect conn;
    private final Domain dom;
    private final List<String> disks;

    private LibvirtVm(Path root, Connect conn, Domain dom, List<String> disks) {
        this.root = root;
        this.conn = conn;
        this.dom = dom;
        this.disks = List.copyOf(disks);
    }

    /** Opens the embedded driver on {@code root}, defines the domain with {@code images} and starts it. */
    static LibvirtVm start(Path root, List<String> disks, List<Path> images) throws IOException, LibvirtException {
        Path conf = root.resolve("etc/qemu.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, String.join("\n", "user = \"root\"", "group = \"root\"", "security_driver = \"none\"",
                "namespaces = [ ]", "cgroup_controllers = [ ]", "stdio_handler = \"file\"", ""));
        EventLoop.ensureRunning(); // one loop per process, shared with our libvirt driver
        Connect conn = new Connect(uri(root));
        try {
            Domain dom = conn.domainDefineXML(domainXml(disks, images));
            try {
                dom.create();
            } catch (LibvirtException e) {
                dom.undefine(UNDEFINE_CHECKPOINTS_METADATA);
                throw e;
            }
            return new LibvirtVm(root, conn, dom, disks);
        } catch (LibvirtException | RuntimeException e) {
            conn.close();
            throw e;
        }
    }

    private static String domainXml(List<String> disks, List<Path> images) {
        StringBuilder xml = new StringBuilder("<domain type='qemu'><name>" + NAME + "</name>"
                + "<memory unit='MiB'>128</memory><vcpu>1</vcpu>"
                + "<os><type arch='x86_64' machine='q35'>hvm</type><boot dev='hd'/></os>"
                + "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>");
        for (int i = 0; i < disks.size(); i++) {
            xml.append("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='")
                    .append(images.get(i)).append("'/><target dev='").append(disks.get(i))
                    .append("' bus='virtio'/></disk>");
        }
        return xml.append("<controller type='usb' model='none'/><memballoon model='none'/></devices></domain>")
                .toString();
    }

    private static String uri(Path root) {
        return "qemu:///embed?root=" + root;
    }

    /** The URI for {@code Connections.open}, naming the domain. */
    String apiUri() {
        return uri(root) + "&domain=" + NAME;
    }

    Domain domain() {
        return dom;
    }

    List<String> disks() {
        return disks;
    }

    /**
     * Writes as the guest would: QEMU's {@code qemu-io} through the monitor on the device libvirt names
     * {@code virtio-disk<index>}, then a flush.
     */
    void guestWrite(int index, long offset, long length, int pattern) throws LibvirtException {
        String device = "/machine/peripheral/virtio-disk" + index + "/virtio-backend";
        hmp("qemu-io -d " + device + " \"write -P " + pattern + " " + offset + " " + length + "\"");
        flush(index);
    }

    /** Flushes disk {@code index}, so that {@code qemu-img -U} reads current data. */
    void flush(int index) throws LibvirtException {
        hmp("qemu-io -d /machine/peripheral/virtio-disk" + index + "/virtio-backend \"flush\"");
    }

    private void hmp(String command) throws LibvirtException {
        String out = dom.qemuMonitorCommand(command, MONITOR_HMP);
        if (out.contains("rror")) {
            throw new IllegalStateException("HMP '" + command + "': " + out);
        }
    }

    @Override
    public void close() throws LibvirtException {
        try {
            if (dom.isActive() == 1) {
                dom.destroy();
            }
            dom.undefine(UNDEFINE_CHECKPOINTS_METADATA);
        } finally {
            conn.close();
        }
    }
}
