// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal.jaxb;

import java.util.Optional;
import java.util.OptionalInt;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.xml.internal.Errors;
import org.virtbackup.xml.model.ServerDef;
import org.virtbackup.xml.model.Transport;

/**
 * Reads {@code <server>} as libvirt's {@code virDomainStorageNetworkParseHost} plus the backup-specific checks
 * of {@code virDomainBackupDefParse} (libvirt-backup-reference.md §1.2).
 */
final class ServerReader {
    private static final ErrorDomain DOMAIN = ErrorDomain.DOMAIN;

    private ServerReader() {
    }

    static ServerDef read(ServerBinding b) {
        Transport transport = Transport.TCP;
        if (b.transport != null) {
            transport = Transport.fromXml(b.transport).orElseThrow(() -> Errors.unsupported(DOMAIN,
                    "unknown protocol transport type '" + b.transport + "'"));
        }
        String spelled = transport.xmlValue();
        if (transport == Transport.UNIX && b.socket == null) {
            throw Errors.xml(DOMAIN, "missing socket for unix transport");
        }
        if (transport != Transport.UNIX && b.socket != null) {
            throw Errors.xml(DOMAIN, "transport '" + spelled + "' does not support socket attribute");
        }
        // fd transport (libvirt 11.3.0): the server socket is a pre-opened fd registered under a group name
        if (transport == Transport.FD && b.fdgroup == null) {
            throw Errors.xml(DOMAIN, "missing fdgroup for fd transport");
        }
        if (transport != Transport.FD && b.fdgroup != null) {
            throw Errors.xml(DOMAIN, "transport '" + spelled + "' does not support fdgroup attribute");
        }
        Optional<String> name = Optional.empty();
        OptionalInt port = OptionalInt.empty();
        if (transport == Transport.TCP || transport == Transport.RDMA) {
            name = Optional.ofNullable(b.name);
            if (name.isEmpty()) {
                throw Errors.xml(DOMAIN, "missing name for host");
            }
            port = port(b.port);
        }
        if (transport == Transport.RDMA) {
            throw Errors.unsupported(DOMAIN, "transport rdma is not supported for <server>");
        }
        if (transport == Transport.UNIX && !b.socket.startsWith("/")) {
            throw Errors.xml(DOMAIN, "backup socket path '" + b.socket + "' must be absolute");
        }
        Optional<Boolean> tls = BackupReader.tristate(b.tls, "tls", "server");
        return new ServerDef(transport, name, port, Optional.ofNullable(b.socket), Optional.ofNullable(b.fdgroup),
                tls);
    }

    /** {@code virStringParsePort}: 0 means "no port", above 65535 is out of range. */
    private static OptionalInt port(String text) {
        if (text == null) {
            return OptionalInt.empty();
        }
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            value = -1;
        }
        if (value < 0) {
            throw Errors.of(ErrorCode.INVALID_ARG, DOMAIN, "failed to parse port number '" + text + "'");
        }
        if (value > 65535) {
            throw Errors.of(ErrorCode.INVALID_ARG, DOMAIN, "port '" + text + "' out of range");
        }
        return value == 0 ? OptionalInt.empty() : OptionalInt.of((int) value);
    }
}
