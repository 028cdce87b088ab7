// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.net.URI;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Domain;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * A connection to one QEMU: it serves exactly one domain. It holds the QMP socket only while an operation
 * works, unless opened with {@code qmpHold=connection} ({@link QmpSession}).
 */
final class QemuConnection implements Connection {

    private final URI uri;
    private final QmpSession qmp;
    private final QemuDomain domain;

    QemuConnection(URI uri, QmpSession qmp, DomainContext ctx) {
        this.uri = uri;
        this.qmp = qmp;
        this.domain = new QemuDomain(ctx, qmp);
    }

    @Override
    public URI uri() {
        return uri;
    }

    @Override
    public Domain domain() {
        return domain;
    }

    @Override
    public Domain lookupDomain(String name) {
        if (!domain.name().equals(name)) {
            throw new VirtBackupException(ErrorCode.NO_DOMAIN, ErrorDomain.QEMU, "domain not found: this connection "
                    + "serves '" + domain.name() + "', not '" + name + "'");
        }
        return domain;
    }

    @Override
    public void close() {
        domain.close();
        qmp.close();
    }
}
