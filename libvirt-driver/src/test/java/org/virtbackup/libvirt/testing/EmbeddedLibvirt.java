// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.virtbackup.libvirt.EventLoop;

/**
 * libvirt's embedded QEMU driver ({@code qemu:///embed?root=DIR}) in the test JVM: one root for the whole JVM
 * (libvirt allows one embedded root per process), with the {@code qemu.conf} that works as root on this platform. {@link #admin()} is a libvirt-java connection the tests use for what the API does not
 * do (define, start, destroy); the code under test opens its own through {@code Connections.open(uri())}.
 * Test classes destroy and undefine their domains; a shutdown hook destroys any a failed class left, closes the
 * connection and deletes the root.
 */
public final class EmbeddedLibvirt {
    private static EmbeddedLibvirt shared;

    private final Path root;
    private final Connect admin;

    private EmbeddedLibvirt(Path root, Connect admin) {
        this.root = root;
        this.admin = admin;
    }

    /** The JVM's embedded libvirt, started on first use. */
    public static synchronized EmbeddedLibvirt shared() {
        if (shared == null) {
            try {
                Path root = Files.createTempDirectory("vb-libvirt-embed");
                writeQemuConf(root.resolve("etc/qemu.conf"));
                EventLoop.ensureRunning();
                Connect admin = new Connect("qemu:///embed?root=" + root);
                shared = new EmbeddedLibvirt(root, admin);
                Runtime.getRuntime().addShutdownHook(new Thread(shared::destroyAll, "embedded-libvirt-cleanup"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (LibvirtException e) {
                throw new IllegalStateException("cannot open libvirt's embedded driver: " + e.getMessage(), e);
            }
        }
        return shared;
    }

    /**
     * The embedded driver's {@code qemu.conf}: root, no security driver, no namespaces, QEMU's output to a file.
     * libvirt 9.0 reads {@code DIR/etc/qemu.conf} (strace shows {@code access("DIR/etc/qemu.conf")}, and
     * {@code DIR/etc/qemu/} holds the domain definitions); without {@code stdio_handler = "file"} the start needs
     * a virtlogd, which nothing runs here.
     */
    public static void writeQemuConf(Path conf) throws IOException {
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, String.join("\n",
                "user = \"root\"",
                "group = \"root\"",
                "security_driver = \"none\"",
                "namespaces = [ ]",
                "cgroup_controllers = [ ]",
                "stdio_handler = \"file\"",
                ""));
    }

    /** The URI for {@code Connections.open}. */
    public String uri() {
        return "qemu:///embed?root=" + root;
    }

    /** The root directory. */
    public Path root() {
        return root;
    }

    /** A libvirt-java connection for test set-up. */
    public Connect admin() {
        return admin;
    }

    private void destroyAll() {
        try {
            for (org.libvirt.Domain d : admin.listAllDomains(0)) {
                if (d.isActive() == 1) {
                    d.destroy();
                }
            }
            admin.close();
        } catch (LibvirtException e) {
            System.err.println("embedded libvirt cleanup: " + e.getMessage());
        }
        // the root holds only libvirt's own state (definitions, logs, sockets, capability cache)
        try (java.util.stream.Stream<Path> all = Files.walk(root)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("embedded libvirt cleanup: " + e.getMessage());
        }
    }
}
