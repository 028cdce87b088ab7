// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtbackup.qemu.json.JsonTrees;
import org.virtbackup.qemu.qmp.QemuCapabilities;
import org.virtbackup.qemu.store.AtomicFiles;
import org.virtbackup.qemu.store.StateJson;

/**
 * The probed capabilities of the QEMU behind a socket, kept in {@code <state>/<domain>/qemu-capabilities.json}
 * so that each CLI verb (a new connection) does not fetch and scan {@code query-qmp-schema} again; libvirt
 * caches its QEMU capabilities too. The key is the socket file's identity (inode and creation time: a
 * restarted QEMU creates a new socket) and QEMU's version from the greeting.
 */
final class CapabilityCache {

    private static final Logger LOG = LoggerFactory.getLogger(CapabilityCache.class);

    private CapabilityCache() {
    }

    /** The cached capabilities for this socket and version, else {@code probe}'s result, then cached. */
    static QemuCapabilities get(Path domainDir, Path socket, String qemuVersion,
            java.util.function.Supplier<QemuCapabilities> probe) {
        Optional<String> key = key(socket, qemuVersion);
        Path file = domainDir.resolve("qemu-capabilities.json");
        if (key.isPresent()) {
            Optional<QemuCapabilities> cached = read(file, key.get());
            if (cached.isPresent()) {
                return cached.get();
            }
        }
        QemuCapabilities caps = probe.get();
        key.ifPresent(k -> write(file, k, caps));
        return caps;
    }

    private static Optional<String> key(Path socket, String qemuVersion) {
        try {
            Object inode = Files.getAttribute(socket, "unix:ino");
            BasicFileAttributes a = Files.readAttributes(socket, BasicFileAttributes.class);
            return Optional.of(socket.toAbsolutePath() + "|" + inode + "|" + a.creationTime().toMillis() + "|"
                    + a.lastModifiedTime().toMillis() + "|" + qemuVersion);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return Optional.empty(); // no stable identity: always probe
        }
    }

    /** The cached capabilities if the file holds them for {@code key}: {@code {"key": ..., "capabilities": {...}}}. */
    private static Optional<QemuCapabilities> read(Path file, String key) {
        try {
            Optional<String> text = AtomicFiles.read(file);
            if (text.isEmpty()) {
                return Optional.empty();
            }
            JsonNode entry = JsonTrees.parse(text.get());
            return entry.path("key").asText().equals(key)
                    ? Optional.of(StateJson.capabilities(entry.path("capabilities"))) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            LOG.debug("ignoring unreadable capability cache '{}': {}", file, e.getMessage());
            return Optional.empty();
        }
    }

    private static void write(Path file, String key, QemuCapabilities caps) {
        try {
            JsonNode entry = JsonNodeFactory.instance.objectNode().put("key", key).set("capabilities", StateJson.tree(caps));
            AtomicFiles.write(file, JsonTrees.line(entry));
        } catch (RuntimeException e) {
            LOG.debug("cannot cache capabilities in '{}': {}", file, e.getMessage()); // only a cache
        }
    }
}
