// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.virtbackup.api.Connection;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.store.StateDirectory;
import org.virtbackup.spi.ConnectionDriver;
import org.virtbackup.xml.model.DomainDef;

/**
 * The {@code qsd} driver: offline backups and checkpoints of a stopped VM (SPEC §12), with the same planner,
 * executor and state as the {@code qmp+unix} driver, on a {@code qemu-storage-daemon} started over the VM's
 * images when an operation needs it and stopped when the operation, or the job it started, ends
 * ({@link StorageDaemonEndpoint}).
 *
 * <p>URI {@code qsd:///ABSOLUTE/PATH/domain.xml}, with the libvirt {@code <domain>} XML of the VM; its
 * {@code <name>} names the domain unless the URI's {@code domain} or the option {@code domain} does. The
 * options are the {@code qmp+unix} driver's ({@link QemuDriver}), but {@code domainXml} (the URI names it).
 * With the same state directory and domain name, checkpoints are one history online and offline.
 *
 * <p>What needs a guest is refused: a {@code cbw} pull and {@code PRESERVE_ON_GUEST_SHUTDOWN}. A VM that runs
 * (its QEMU holds its images' locks) is refused with {@code OPERATION_INVALID}, nothing changed.
 */
public final class QsdDriver implements ConnectionDriver {

    @Override
    public Set<String> uriSchemes() {
        return Set.of(QsdUri.SCHEME);
    }

    @Override
    public Connection open(URI uri, Map<String, String> options) {
        DriverOptions o = DriverOptions.parse(options);
        QsdUri u = QsdUri.parse(uri);
        if (o.domainXml().isPresent()) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.QEMU, "option domainXml does not apply "
                    + "to the qsd driver: the URI's path is the domain XML (qsd:///path/to/domain.xml)");
        }
        DomainDef def = QemuDriver.readDomain(u.domainXml());
        String name = u.domain().or(o::domain).orElse(def.name());
        StateDirectory state = StateDirectory.resolveDefault(o.stateDir().or(u::stateDir));
        Path domainDir = state.domainDir(name);
        StorageDaemonEndpoint endpoint = new StorageDaemonEndpoint(name, domainDir, state.runDir(name),
                StorageDaemonDisks.of(def));
        endpoint.stopLeftover();
        QmpSession qmp = new QmpSession(endpoint, o.hold(), o.qmpWait());
        DomainContext ctx = new DomainContext(name, qmp, QemuDriver.capabilities(qmp, domainDir), domainDir,
                o.tlsDir(), o.backupSpeed(), o.copyRange(), Optional.of(def), o.pullMethod(), o.exportGrace(),
                new JobLayouts(), Host.STORAGE_DAEMON);
        return new QemuConnection(uri, qmp, ctx);
    }
}
