// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt.testing;

import java.nio.file.Path;
import org.libvirt.Connect;
import org.virtbackup.libvirt.EventLoop;

/**
 * A private {@code libvirtd} the test starts (remote protocol over its own socket) with one {@link TestDomain} of
 * two 16 MiB disks: opened before a test class, closed after it, the daemon stopped by PID even when closing the
 * domain fails.
 */
public final class LibvirtdVm implements AutoCloseable {
    private final PrivateLibvirtd libvirtd;
    private final Connect admin;
    private final TestDomain vm;

    private LibvirtdVm(PrivateLibvirtd libvirtd, Connect admin, TestDomain vm) {
        this.libvirtd = libvirtd;
        this.admin = admin;
        this.vm = vm;
    }

    /**
     * Starts the daemon under {@code dir/libvirtd} (QEMU's capabilities cached in {@code target/libvirtd-cache},
     * which outlives the run, so only the first run probes QEMU) and domain {@code name} with its disks in
     * {@code dir}.
     */
    public static LibvirtdVm start(Path dir, String name) throws Exception {
        PrivateLibvirtd libvirtd = PrivateLibvirtd.start(dir.resolve("libvirtd"),
                Path.of("target/libvirtd-cache").toAbsolutePath());
        Connect admin = null;
        try {
            EventLoop.ensureRunning();
            admin = new Connect(libvirtd.uri());
            return new LibvirtdVm(libvirtd, admin, TestDomain.start(admin, name, dir, 2, 16));
        } catch (Exception | Error e) {
            try {
                if (admin != null) {
                    admin.close();
                }
            } finally {
                libvirtd.close();
            }
            throw e;
        }
    }

    public PrivateLibvirtd libvirtd() {
        return libvirtd;
    }

    public TestDomain vm() {
        return vm;
    }

    /** Destroys the domain, closes the admin connection, stops the daemon; each even when the one before fails. */
    @Override
    public void close() throws Exception {
        try {
            try {
                vm.close();
            } finally {
                admin.close();
            }
        } finally {
            libvirtd.close();
        }
    }
}
