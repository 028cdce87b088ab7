// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt.testing;

import java.nio.file.Path;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;

/**
 * A {@link TestDomain} with two 16 MiB disks on the shared embedded libvirt, and a virtbackup connection to it:
 * what a test class of the libvirt driver opens before its tests and closes after them.
 */
public final class EmbeddedVm implements AutoCloseable {
    private final TestDomain vm;
    private final Connection conn;

    private EmbeddedVm(TestDomain vm, Connection conn) {
        this.vm = vm;
        this.conn = conn;
    }

    /** Starts domain {@code name} with its disks in {@code dir} and connects to it. */
    public static EmbeddedVm start(String name, Path dir) throws Exception {
        EmbeddedLibvirt lv = EmbeddedLibvirt.shared();
        TestDomain vm = TestDomain.start(lv.admin(), name, dir, 2, 16);
        try {
            return new EmbeddedVm(vm, Connections.open(lv.uri() + "&domain=" + name));
        } catch (RuntimeException e) {
            vm.close();
            throw e;
        }
    }

    public TestDomain vm() {
        return vm;
    }

    public Domain domain() {
        return conn.domain();
    }

    /** Closes the connection, then destroys the domain. */
    @Override
    public void close() throws Exception {
        try {
            conn.close();
        } finally {
            vm.close();
        }
    }
}
