// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.model;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The NBD server of a pull backup, {@code <server transport name port socket fdgroup tls>}
 * (libvirt-backup-reference.md §1.2).
 *
 * @param transport tcp (default), unix, fd; rdma only to be refused
 * @param name host name or address (tcp)
 * @param port TCP port, 1..65535 when present
 * @param socket absolute unix socket path (unix)
 * @param fdgroup name of the registered fd group (fd)
 * @param tls tristate {@code tls='yes|no'}: empty when the attribute is absent
 */
public record ServerDef(Transport transport, Optional<String> name, OptionalInt port, Optional<String> socket,
                        Optional<String> fdgroup, Optional<Boolean> tls) {
    public ServerDef {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(fdgroup, "fdgroup");
        Objects.requireNonNull(tls, "tls");
    }

    /** A TCP server, as libvirt's default {@code transport='tcp' name='localhost'} when no port is given. */
    public static ServerDef tcp(String name, OptionalInt port) {
        return new ServerDef(Transport.TCP, Optional.of(name), port, Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    /** A unix-socket server. */
    public static ServerDef unix(String socket) {
        return new ServerDef(Transport.UNIX, Optional.empty(), OptionalInt.empty(), Optional.of(socket),
                Optional.empty(), Optional.empty());
    }

    /** A copy with another {@code tls} setting. */
    public ServerDef withTls(Optional<Boolean> newTls) {
        return new ServerDef(transport, name, port, socket, fdgroup, newTls);
    }
}
