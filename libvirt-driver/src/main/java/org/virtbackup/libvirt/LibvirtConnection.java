// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import org.libvirt.Connect;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Domain;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/** A libvirt connection ({@code virConnectPtr}) and the domain its URI names. */
final class LibvirtConnection implements Connection {
    private final URI uri;
    private final Connect conn;
    private final Optional<String> domainName;
    private final JobCompletedEvents events;

    LibvirtConnection(URI uri, Connect conn, Optional<String> domainName) {
        this.uri = uri;
        this.conn = conn;
        this.domainName = domainName;
        this.events = new JobCompletedEvents(conn);
    }

    @Override
    public URI uri() {
        return uri;
    }

    @Override
    public Domain domain() {
        if (domainName.isPresent()) {
            return lookupDomain(domainName.get());
        }
        org.libvirt.Domain[] all = LibvirtErrors.call(() -> conn.listAllDomains(0));
        if (all.length != 1) {
            throw new VirtBackupException(ErrorCode.NO_DOMAIN, ErrorDomain.NONE, "the connection '" + uri
                    + "' has " + all.length + " domains: name one with ?domain=NAME or --domain NAME");
        }
        return new LibvirtDomain(this, all[0]);
    }

    @Override
    public Domain lookupDomain(String name) {
        Objects.requireNonNull(name, "name");
        return new LibvirtDomain(this, LibvirtErrors.call(() -> conn.domainLookupByName(name)));
    }

    /** The libvirt connection. */
    Connect connect() {
        return conn;
    }

    /** The JOB_COMPLETED events of this connection. */
    JobCompletedEvents events() {
        return events;
    }

    @Override
    public void close() {
        events.close();
        LibvirtErrors.call(conn::close);
    }
}
