// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.Map;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/** One verb's connection: opened from the global options, closed when the verb ends. */
final class Session implements AutoCloseable {

    /** Like {@code LIBVIRT_DEFAULT_URI} for virsh. */
    static final String DEFAULT_URI_ENV = "VIRTBACKUP_DEFAULT_URI";

    private final Connection connection;
    private final Domain domain;

    private Session(Connection connection, Domain domain) {
        this.connection = connection;
        this.domain = domain;
    }

    static Session open(GlobalOptions global) {
        return open(global, Map.of());
    }

    /** A session whose driver gets {@code driverOptions} too (e.g. {@code backupSpeed}). */
    static Session open(GlobalOptions global, Map<String, String> driverOptions) {
        String uri = global.connect != null ? global.connect : System.getenv(DEFAULT_URI_ENV);
        if (uri == null || uri.isEmpty()) {
            throw new VirtBackupException(ErrorCode.NO_CONNECT, ErrorDomain.NONE,
                    "no connection URI: give --connect qmp+unix:///path/to/qmp.sock (or set " + DEFAULT_URI_ENV + ")");
        }
        Map<String, String> options = new HashMap<>(driverOptions);
        if (global.stateDir != null) {
            options.put("stateDir", global.stateDir.toString());
        }
        if (global.domain != null) {
            options.put("domain", global.domain); // also names a stopped domain, which QEMU cannot
        }
        Connection conn;
        try {
            conn = Connections.open(new URI(uri), options);
        } catch (URISyntaxException e) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.NONE,
                    "invalid connection URI '" + uri + "': " + e.getReason(), e);
        }
        try {
            Domain dom = global.domain != null ? conn.lookupDomain(global.domain) : conn.domain();
            return new Session(conn, dom);
        } catch (RuntimeException e) {
            conn.close();
            throw e;
        }
    }

    Domain domain() {
        return domain;
    }

    @Override
    public void close() {
        connection.close();
    }
}
