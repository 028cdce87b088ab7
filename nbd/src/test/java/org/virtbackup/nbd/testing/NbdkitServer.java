// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.nbd.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * An {@code nbdkit} in the foreground on a unix socket, for servers QEMU cannot play: one that injects read
 * errors (error filter), one that answers slowly (delay filter). Stopped by its PID; {@link #kill()} is SIGKILL.
 */
public final class NbdkitServer implements AutoCloseable {
    private final Process process;
    private final Path socket;

    private NbdkitServer(Process process, Path socket) {
        this.process = process;
        this.socket = socket;
    }

    /**
     * Skips when nbdkit is missing on a developer's machine; fails under
     * {@code -Dvirtbackup.test.requireQemu=true}, where every NBD test must run.
     */
    public static void assumeInstalled() {
        boolean present = Files.isExecutable(Path.of("/usr/bin/nbdkit"))
                || Files.isExecutable(Path.of("/usr/local/bin/nbdkit"));
        if (!present && Boolean.getBoolean("virtbackup.test.requireQemu")) {
            throw new AssertionError("nbdkit is missing (apt-get install -y nbdkit) and "
                    + "-Dvirtbackup.test.requireQemu=true requires it");
        }
        Assumptions.assumeTrue(present, "nbdkit is missing: apt-get install -y nbdkit");
    }

    /** {@code nbdkit -f -U SOCKET ARGS...}, waiting until the socket exists. */
    public static NbdkitServer start(Path socket, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("nbdkit", "-f", "-U", socket.toString()));
        cmd.addAll(List.of(args));
        Path log = socket.resolveSibling(socket.getFileName() + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        NbdkitServer server = new NbdkitServer(p, socket);
        for (int i = 0; i < 500 && !Files.exists(socket); i++) {
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(10);
        }
        if (!Files.exists(socket)) {
            server.close();
            throw new AssertionError("nbdkit did not start: " + Files.readString(log));
        }
        return server;
    }

    public String uri() {
        return "nbd+unix:///?socket=" + socket;
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL, waiting until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(5, TimeUnit.SECONDS)).as("nbdkit %s died", process.pid()).isTrue();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
        Files.deleteIfExists(socket);
    }
}
