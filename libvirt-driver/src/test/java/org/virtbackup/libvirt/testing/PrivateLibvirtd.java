// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code libvirtd} of the test's own, reached through libvirt's remote protocol at
 * {@code qemu+unix:///system?socket=DIR/run/libvirt-sock}. It runs in a private mount namespace
 * ({@code unshare --mount --propagation private}) where private directories are bind-mounted over
 * {@code /etc/libvirt}, {@code /run/libvirt}, {@code /var/lib/libvirt}, {@code /var/log/libvirt} and
 * {@code /var/cache/libvirt}: libvirtd always reads {@code /etc/libvirt/qemu.conf}, and the host's files stay
 * untouched (libvirt-driver-notes.md). {@link #close()} stops it by its PID (SIGTERM, then SIGKILL); the caller
 * destroys its domains first.
 */
public final class PrivateLibvirtd implements AutoCloseable {
    private static final List<String> MOUNTS = List.of("/etc/libvirt", "/run/libvirt", "/var/lib/libvirt",
            "/var/log/libvirt", "/var/cache/libvirt");

    private final Process process;
    private final Path dir;

    private PrivateLibvirtd(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
    }

    /**
     * Starts libvirtd with its directories under {@code dir}; {@code cache} is bind-mounted over
     * {@code /var/cache/libvirt} and may be kept between runs, so QEMU's capabilities are probed once (~7 s).
     */
    public static PrivateLibvirtd start(Path dir, Path cache) throws IOException, InterruptedException {
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("lib"));
        Files.createDirectories(dir.resolve("log"));
        Files.createDirectories(cache);
        Files.writeString(etc.resolve("libvirtd.conf"), String.join("\n",
                "unix_sock_group = \"root\"",
                "unix_sock_ro_perms = \"0700\"",
                "unix_sock_rw_perms = \"0700\"",
                "unix_sock_admin_perms = \"0700\"",
                "auth_unix_ro = \"none\"",
                "auth_unix_rw = \"none\"",
                "log_outputs = \"3:file:/var/log/libvirt/libvirtd.log\"",
                ""));
        EmbeddedLibvirt.writeQemuConf(etc.resolve("qemu.conf"));
        List<Path> sources = List.of(etc, dir.resolve("run"), dir.resolve("lib"), dir.resolve("log"), cache);
        StringBuilder script = new StringBuilder("set -e\n");
        for (int i = 0; i < MOUNTS.size(); i++) {
            script.append("mount --bind '").append(sources.get(i)).append("' ").append(MOUNTS.get(i)).append('\n');
        }
        // exec twice (unshare without --fork, then sh): the PID we hold is libvirtd's own
        script.append("exec libvirtd --config /etc/libvirt/libvirtd.conf --pid-file /run/libvirt/libvirtd.pid\n");
        Process p = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh", "-c",
                script.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("libvirtd.out").toFile())
                .start();
        PrivateLibvirtd d = new PrivateLibvirtd(p, dir);
        d.awaitSocket();
        return d;
    }

    private void awaitSocket() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(socket())) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                close();
                throw new IOException("libvirtd did not come up: " + Files.readString(dir.resolve("libvirtd.out"))
                        + tail(dir.resolve("log/libvirtd.log")));
            }
            Thread.sleep(50);
        }
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "";
        }
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    /** The daemon's read-write socket. */
    public Path socket() {
        return dir.resolve("run/libvirt-sock");
    }

    /**
     * {@code qemu+unix:///system?socket=...}: the explicit transport always takes libvirt's remote driver. In a
     * process that has opened {@code qemu:///embed}, libvirt 9.0 hands plain {@code qemu:///system} URIs to the
     * embedded QEMU driver, which refuses them ("Missing URI parameter 'root'").
     */
    public String uri() {
        return "qemu+unix:///system?socket=" + socket();
    }

    /** {@code qemu:///system?socket=...}, for a process without the embedded driver (a CLI verb). */
    public String localUri() {
        return "qemu:///system?socket=" + socket();
    }

    /** libvirtd's PID. */
    public long pid() {
        return process.pid();
    }

    /** Stops libvirtd by its PID: SIGTERM, and SIGKILL if it has not exited after 15 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
