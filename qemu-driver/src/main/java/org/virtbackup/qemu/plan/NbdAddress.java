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
     * A listening socket the caller associated with the domain under fd group {@code group} (libvirt 11.3
     * {@code transport='fd'}), passed to QEMU with {@code getfd} under {@code fdName} by a {@link Step.PassFd}
     * right before {@code nbd-server-start}, which takes it over from the monitor. {@code fdName} must not start
     * with a digit (QEMU would read it as a descriptor number).
     */
    record Fd(String group, String fdName) implements NbdAddress {
        public Fd {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(fdName, "fdName");
            if (fdName.isEmpty() || Character.isDigit(fdName.charAt(0))) {
                throw new IllegalArgumentException("fd name '" + fdName + "' must not start with a digit");
            }
        }

        /** The group's descriptor under the monitor name {@code <prefix>-nbd-fd}. */
        public static Fd of(String group, String prefix) {
            return new Fd(group, prefix + "-nbd-fd");
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode n = wrapper("fd");
            ((ObjectNode) n.get("data")).put("str", fdName);
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
