// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.virtbackup.qemu.launch.StorageDaemon;

/** The {@code qemu-storage-daemon} processes a test left: found by their command line, killed by PID. */
public final class StorageDaemons {

    private StorageDaemons() {
    }

    /** The pids of the running {@code qemu-storage-daemon} processes whose command line names {@code dir}. */
    public static List<Long> running(Path dir) throws IOException {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                String cmdline;
                try {
                    cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    continue; // exited meanwhile
                }
                // a zombie has an empty command line: it exited
                if (cmdline.startsWith("qemu-storage-daemon\0") && cmdline.contains(dir.toString())) {
                    pids.add(Long.parseLong(p.getFileName().toString()));
                }
            }
        }
        return pids;
    }

    /** Kills (SIGKILL) each daemon of {@link #running} and waits up to 10 s until they exited; returns their pids. */
    public static List<Long> kill(Path dir) throws IOException {
        List<Long> pids = running(dir);
        pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (pids.stream().anyMatch(StorageDaemon::running) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return pids;
    }
}
