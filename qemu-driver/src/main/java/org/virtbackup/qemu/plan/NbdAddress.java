// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * Where the pull-mode NBD server listens: the {@code SocketAddressLegacy} of {@code nbd-server-start},
 * {@code {"type": ..., "data": {...}}} (libvirt-backup-reference.md §4.4 step 2).
 */
public sealed interface NbdAddress {

    /** The {@code addr} object. */
    ObjectNode toJson();

    /** A unix socket; libvirt requires an absolute path. */
    record Unix(String path) implements NbdAddress {
        public Unix {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode n = wrapper("unix");
            ((ObjectNode) n.get("data")).put("path", path);
            return n;
        }
    }

    /** TCP; the port goes on the wire as a string, as libvirt sends it. */
    record Inet(String host, int port) implements NbdAddress {
        public Inet {
            Objects.requireNonNull(host, "host");
            if (port <= 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " out of range");
            }
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode n = wrapper("inet");
            ObjectNode data = (ObjectNode) n.get("data");
            data.put("host", host);
            data.put("port", Integer.toString(port));
            return n;
        }
    }

    /**
     * A listening socket the caller passed to QEMU beforehand with {@code getfd} under this name (libvirt
     * 11.3 {@code transport='fd'}); passing the descriptor itself is the executor's business.
     */
    record Fd(String name) implements NbdAddress {
        public Fd {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode n = wrapper("fd");
            ((ObjectNode) n.get("data")).put("str", name);
            return n;
        }
    }

    private static ObjectNode wrapper(String type) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("type", type);
        n.putObject("data");
        return n;
    }
}
