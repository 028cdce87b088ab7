// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import org.virtbackup.spi.ConnectionDriver;

/**
 * Opens connections; the driver is chosen by the URI's scheme, like JDBC or libvirt's
 * {@code virConnectOpen}.
 *
 * <pre>{@code
 * try (Connection conn = Connections.open("qmp+unix:///run/vm1/qmp.sock?domain=vm1")) {
 *     Domain dom = conn.domain();
 *     ...
 * }
 * }</pre>
 *
 * @since 0.1
 */
public final class Connections {

    private Connections() {
    }

    /**
     * Opens a connection with default options.
     *
     * @param uri e.g. {@code qmp+unix:///run/vm1/qmp.sock?domain=vm1}
     * @return the open connection
     * @throws VirtBackupException {@link ErrorCode#INVALID_ARG} for a malformed URI,
     *     {@link ErrorCode#NO_CONNECT} when no driver serves its scheme or the endpoint cannot be reached
     */
    public static Connection open(String uri) {
        Objects.requireNonNull(uri, "uri");
        try {
            return open(new URI(uri), Map.of());
        } catch (URISyntaxException e) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.NONE,
                    "invalid connection URI '" + uri + "': " + e.getReason(), e);
        }
    }

    /**
     * Opens a connection.
     *
     * @param uri the endpoint
     * @param options driver options, e.g. {@code stateDir}
     * @return the open connection
     */
    public static Connection open(URI uri, Map<String, String> options) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(options, "options");
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        for (ConnectionDriver driver : ServiceLoader.load(ConnectionDriver.class)) {
            if (driver.uriSchemes().contains(scheme)) {
                return driver.open(uri, Map.copyOf(options));
            }
        }
        throw new VirtBackupException(ErrorCode.NO_CONNECT, ErrorDomain.NONE,
                "no driver for connection URI '" + uri + "' (scheme '" + scheme + "')");
    }
}
