// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.launch.StorageDaemon;

/**
 * The connections, of any process, that use a stopped domain's {@code qemu-storage-daemon}: one empty file each
 * in {@code <run dir>/users/}, named {@code <pid>-<random>}. A connection registers when it found or started
 * the daemon and is about to connect, and unregisters when it lets go (or its connect failed). Without it, the
 * connection that finishes first would stop the daemon under another that found it running a moment before
 * and waits for its monitor, which serves one client at a time. An entry whose process is gone (killed) is
 * ignored and deleted. Callers hold the run directory's lock.
 */
final class DaemonUsers {

    private final Path dir;
    private final String me;

    private DaemonUsers(Path dir, String me) {
        this.dir = dir;
        this.me = me;
    }

    /** The registry in {@code runDir}, with a name of its own for this connection. */
    static DaemonUsers in(Path runDir) {
        return new DaemonUsers(runDir.resolve("users"), ProcessHandle.current().pid() + "-" + UUID.randomUUID());
    }

    void register() {
        try {
            Files.createDirectories(dir);
            if (!Files.exists(dir.resolve(me))) {
                Files.createFile(dir.resolve(me));
            }
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.SYSTEM_ERROR, ErrorDomain.QEMU, "cannot register in '" + dir
                    + "': " + e.getMessage(), e);
        }
    }

    void unregister() {
        try {
            Files.deleteIfExists(dir.resolve(me));
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.SYSTEM_ERROR, ErrorDomain.QEMU, "cannot unregister from '" + dir
                    + "': " + e.getMessage(), e);
        }
    }

    /** Whether another connection of a live process is registered; entries of dead processes are deleted. */
    boolean othersAlive() {
        boolean alive = false;
        for (Path entry : entries()) {
            String name = entry.getFileName().toString();
            if (name.equals(me)) {
                continue;
            }
            int dash = name.indexOf('-');
            long pid = dash > 0 && name.substring(0, dash).chars().allMatch(Character::isDigit)
                    ? Long.parseLong(name.substring(0, dash)) : -1;
            if (pid > 0 && StorageDaemon.running(pid)) {
                alive = true;
            } else {
                try {
                    Files.deleteIfExists(entry);
                } catch (IOException e) {
                    // another process may be deleting it too; it is ignored either way
                }
            }
        }
        return alive;
    }

    private List<Path> entries() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.SYSTEM_ERROR, ErrorDomain.QEMU, "cannot read '" + dir + "': "
                    + e.getMessage(), e);
        }
    }
}
