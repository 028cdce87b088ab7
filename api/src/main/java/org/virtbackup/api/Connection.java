// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.api;

import java.net.URI;

/**
 * A connection to one hypervisor endpoint, opened with {@link Connections#open(String)}.
 *
 * @since 0.1
 */
public interface Connection extends AutoCloseable {

    /** The URI this connection was opened with. */
    URI uri();

    /**
     * The domain named in the URI ({@code ?domain=NAME}), or the only one the endpoint serves.
     *
     * @throws VirtBackupException {@link ErrorCode#NO_DOMAIN} when the URI names none and there is not
     *     exactly one
     */
    Domain domain();

    /**
     * Looks a domain up by name.
     *
     * @param name the domain's name
     * @return the domain
     * @throws VirtBackupException {@link ErrorCode#NO_DOMAIN} if there is none
     */
    Domain lookupDomain(String name);

    /** Closes the connection; a running backup job keeps running. */
    @Override
    void close();
}
