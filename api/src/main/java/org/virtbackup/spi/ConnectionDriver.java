// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.spi;

import java.net.URI;
import java.util.Map;
import java.util.Set;
import org.virtbackup.api.Connection;

/**
 * A driver, found with {@link java.util.ServiceLoader} and chosen by URI scheme.
 *
 * @since 0.1
 */
public interface ConnectionDriver {

    /** The URI schemes this driver serves, in lower case, e.g. {@code qmp+unix}. */
    Set<String> uriSchemes();

    /**
     * Opens a connection.
     *
     * @param uri a URI with one of {@link #uriSchemes()}
     * @param options driver options (unmodifiable)
     * @return the connection
     * @throws org.virtbackup.api.VirtBackupException when the endpoint cannot be reached
     */
    Connection open(URI uri, Map<String, String> options);
}
