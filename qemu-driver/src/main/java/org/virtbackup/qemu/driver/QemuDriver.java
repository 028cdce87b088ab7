// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.virtbackup.api.Connection;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.qmp.QemuCapabilities;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.qmp.QmpException;
import org.virtbackup.qemu.store.StateDirectory;
import org.virtbackup.qemu.plan.PullMethod;
import org.virtbackup.spi.ConnectionDriver;

/**
 * The {@code qmp+unix} driver. Options: {@code stateDir} (else the URI's {@code statedir}, else SPEC §5's
 * default), {@code tlsDir} (else {@code $VIRTBACKUP_BACKUP_TLS_DIR}) for {@code tls='yes'} pull backups,
 * {@code backupSpeed} (bytes per second per disk, beyond libvirt) to keep push backups from starving the guest,
 * {@code copyRange} ({@code true} by default: push jobs copy with {@code copy_file_range} where QEMU offers it),
 * {@code pullMethod} ({@code fleecing} by default, or {@code cbw}: copy-before-write + snapshot-access).
 *
 * <p>When QEMU cannot be reached but the URI names a domain with a backup job on record, the connection opens
 * anyway, so that the job can still be ended and its files cleaned up after QEMU died.
 */
public final class QemuDriver implements ConnectionDriver {

    @Override
    public Set<String> uriSchemes() {
        return Set.of(QemuUri.SCHEME);
    }

    @Override
    public Connection open(URI uri, Map<String, String> options) {
        QemuUri u = QemuUri.parse(uri);
        StateDirectory state = StateDirectory.resolveDefault(
                Optional.ofNullable(options.get("stateDir")).map(Path::of).or(u::stateDir));
        Optional<String> tls = Optional.ofNullable(options.get("tlsDir"))
                .or(() -> Optional.ofNullable(System.getenv("VIRTBACKUP_BACKUP_TLS_DIR")));
        QmpChannel qmp = QmpChannel.unix(u.socket());
        try {
            qmp.connect();
        } catch (QmpException e) {
            if (u.domain().isPresent() && Files.exists(state.root().resolve(u.domain().get()).resolve("backup.json"))) {
                return connection(uri, qmp, u.domain().get(), state, tls, speed(options), !"false".equals(options.get("copyRange")),
                    pullMethod(options));
            }
            throw new VirtBackupException(ErrorCode.NO_CONNECT, ErrorDomain.QEMU, "cannot connect to QEMU at '"
                    + u.socket() + "': " + e.getMessage(), e);
        }
        try {
            return connection(uri, qmp, u.domain().orElseGet(() -> nameOf(qmp)), state, tls, speed(options), !"false".equals(options.get("copyRange")),
                    pullMethod(options));
        } catch (RuntimeException e) {
            qmp.close();
            throw e;
        }
    }

    private static PullMethod pullMethod(Map<String, String> options) {
        try {
            return PullMethod.parse(options.getOrDefault("pullMethod", "fleecing"));
        } catch (IllegalArgumentException e) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.QEMU, "option " + e.getMessage(), e);
        }
    }

    private static long speed(Map<String, String> options) {
        String v = options.getOrDefault("backupSpeed", "0");
        try {
            long speed = Long.parseLong(v);
            if (speed >= 0) {
                return speed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.QEMU,
                "option backupSpeed must be a number of bytes per second >= 0, not '" + v + "'");
    }

    private static Connection connection(URI uri, QmpChannel qmp, String name, StateDirectory state,
            Optional<String> tls, long speed, boolean copyRange, PullMethod pullMethod) {
        QemuCapabilities[] probed = new QemuCapabilities[1];
        DomainContext ctx = new DomainContext(name, qmp, () -> {
            if (probed[0] == null) {
                probed[0] = probe(qmp);
            }
            return probed[0];
        }, state.domainDir(name), tls, speed, copyRange, pullMethod);
        return new QemuConnection(uri, qmp, ctx);
    }

    private static QemuCapabilities probe(QmpChannel qmp) {
        try {
            return QemuCapabilities.probe(qmp);
        } catch (QmpException e) {
            throw e.toVirtBackupException();
        }
    }

    /** QEMU's {@code -name}, when the URI names no domain. */
    private static String nameOf(QmpChannel qmp) {
        JsonNode r;
        try {
            r = qmp.execute(QmpCommand.of("query-name"));
        } catch (QmpException e) {
            throw e.toVirtBackupException();
        }
        if (!r.hasNonNull("name")) {
            throw new VirtBackupException(ErrorCode.NO_DOMAIN, ErrorDomain.QEMU, "the connection URI names no "
                    + "domain and QEMU was started without -name: add ?domain=NAME to the URI");
        }
        return r.get("name").asText();
    }
}
