// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.json.JsonTrees;

/**
 * {@code <domain dir>/storage-daemon.json}: the {@code qemu-storage-daemon} an offline operation started on a
 * stopped domain's images, next to the job record ({@code backup.json}), so that any process can find it,
 * use it while a job runs in it, and stop it when its owner died without doing so. Written without fsync
 * ({@link AtomicFiles#replace}): a machine crash takes the daemon with it.
 *
 * @param pid the daemon's process id
 * @param socket its QMP socket
 * @param owner the process id of the virtbackup process that started it
 * @param ownerStart that process's start time ({@link ProcessHandle.Info#startInstant}), so that a reused PID
 *     does not count as the owner; empty when unknown
 */
public record DaemonFile(long pid, String socket, long owner, String ownerStart) {

    private static final String NAME = "storage-daemon.json";

    public DaemonFile {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(ownerStart, "ownerStart");
    }

    /** A record of a daemon this process started. */
    public static DaemonFile ofThisProcess(long pid, Path socket) {
        ProcessHandle me = ProcessHandle.current();
        return new DaemonFile(pid, socket.toString(), me.pid(), startOf(me));
    }

    /** Whether the process that started the daemon still runs. */
    public boolean ownerAlive() {
        return ProcessHandle.of(owner).filter(ProcessHandle::isAlive)
                .filter(h -> ownerStart.isEmpty() || startOf(h).equals(ownerStart)).isPresent();
    }

    private static String startOf(ProcessHandle h) {
        return h.info().startInstant().map(Object::toString).orElse("");
    }

    public static Optional<DaemonFile> read(Path domainDir) {
        return AtomicFiles.read(domainDir.resolve(NAME)).map(s -> {
            try {
                JsonNode n = JsonTrees.parse(s);
                JsonNode socket = n.path("socket");
                if (!socket.isTextual()) {
                    throw new IllegalArgumentException("no 'socket'");
                }
                return new DaemonFile(n.path("pid").asLong(), socket.textValue(), n.path("owner").asLong(),
                        n.path("ownerStart").asText(""));
            } catch (JsonProcessingException | IllegalArgumentException e) {
                throw new VirtBackupException(ErrorCode.INTERNAL_ERROR, ErrorDomain.QEMU, "cannot parse '"
                        + domainDir.resolve(NAME) + "': " + e.getMessage() + "; if no qemu-storage-daemon "
                        + "runs on the domain's images, delete the file", e);
            }
        });
    }

    public void write(Path domainDir) {
        JsonNode n = JsonNodeFactory.instance.objectNode().put("pid", pid).put("socket", socket).put("owner", owner)
                .put("ownerStart", ownerStart);
        AtomicFiles.replace(domainDir.resolve(NAME), JsonTrees.line(n));
    }

    public static void delete(Path domainDir) {
        AtomicFiles.delete(domainDir.resolve(NAME));
    }
}
