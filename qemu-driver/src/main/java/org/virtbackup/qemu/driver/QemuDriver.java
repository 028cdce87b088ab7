// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.virtbackup.api.Connection;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.plan.BackupPlanner;
import org.virtbackup.qemu.plan.PullMethod;
import org.virtbackup.qemu.qmp.QemuCapabilities;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.qmp.QmpConnectException;
import org.virtbackup.qemu.qmp.QmpException;
import org.virtbackup.qemu.store.StateDirectory;
import org.virtbackup.spi.ConnectionDriver;
import org.virtbackup.xml.DomainXml;
import org.virtbackup.xml.model.DomainDef;

/**
 * The {@code qmp+unix} driver. Options (each also settable where noted):
 * <ul>
 *   <li>{@code stateDir}: else the URI's {@code statedir}, else SPEC §5's default;</li>
 *   <li>{@code domainXml}: a libvirt {@code <domain>} XML file (else the URI's {@code domainxml}); its disks'
 *       target names then name QEMU's disks, matched by alias, target or source path, and checkpoints embed
 *       it;</li>
 *   <li>{@code tlsDir}: else {@code $VIRTBACKUP_BACKUP_TLS_DIR}, for {@code tls='yes'} pull backups;</li>
 *   <li>{@code backupSpeed}: bytes per second per disk, beyond libvirt, to keep push backups from starving
 *       the guest;</li>
 *   <li>{@code copyRange}: {@code true} by default: push jobs copy with {@code copy_file_range} where QEMU
 *       offers it;</li>
 *   <li>{@code pullMethod}: {@code fleecing} (default, libvirt's {@code blockdev-backup sync=none}) or {@code cbw}
 *       ({@code copy-before-write} + {@code snapshot-access}) for new pull backups;</li>
 *   <li>{@code exportGraceSeconds}: how long {@code backupEnd} of a pull lets NBD clients that are still
 *       connected go on reading (safe {@code block-export-del}, retried) before it disconnects them
 *       ({@code mode=hard}); default 5, 0 disconnects at once. An end without clients never waits.</li>
 * </ul>
 *
 * <p>When QEMU cannot be reached but the URI names a domain with a backup job on record, the connection opens
 * anyway, so that the job can still be ended and its files cleaned up after QEMU died. A monitor that is busy
 * with another client (QEMU serves one at a time; the connect waits {@link QmpChannel#DEFAULT_CONNECT_TIMEOUT}
 * for the greeting) is not dead: opening fails with {@code RESOURCE_BUSY} instead.
 */
public final class QemuDriver implements ConnectionDriver {

    /** The settings that do not come from QEMU. */
    private record Settings(StateDirectory state, Optional<String> tlsDir, long speed, boolean copyRange,
            Optional<DomainDef> userDomain, PullMethod pullMethod, Duration exportGrace) {
    }

    @Override
    public Set<String> uriSchemes() {
        return Set.of(QemuUri.SCHEME);
    }

    @Override
    public Connection open(URI uri, Map<String, String> options) {
        QemuUri u = QemuUri.parse(uri);
        Settings settings = settings(u, options);
        QmpChannel qmp = QmpChannel.unix(u.socket());
        String version;
        try {
            version = qmp.connect().version();
        } catch (QmpException e) {
            // A busy monitor means QEMU is alive and serving another client: never end its job offline.
            boolean busy = e instanceof QmpConnectException c && c.busy();
            if (!busy && u.domain().isPresent()
                    && Files.exists(settings.state().root().resolve(u.domain().get()).resolve("backup.json"))) {
                return connection(uri, qmp, u.domain().get(), settings, u.socket(), "unreachable");
            }
            throw new VirtBackupException(busy ? ErrorCode.RESOURCE_BUSY : ErrorCode.NO_CONNECT, ErrorDomain.QEMU,
                    "cannot connect to QEMU at '" + u.socket() + "': " + e.getMessage(), e);
        }
        try {
            return connection(uri, qmp, u.domain().orElseGet(() -> nameOf(qmp)), settings, u.socket(), version);
        } catch (RuntimeException e) {
            qmp.close();
            throw e;
        }
    }

    private static Settings settings(QemuUri u, Map<String, String> options) {
        StateDirectory state = StateDirectory.resolveDefault(
                Optional.ofNullable(options.get("stateDir")).map(Path::of).or(u::stateDir));
        Optional<String> tls = Optional.ofNullable(options.get("tlsDir"))
                .or(() -> Optional.ofNullable(System.getenv("VIRTBACKUP_BACKUP_TLS_DIR")));
        Optional<DomainDef> domain = Optional.ofNullable(options.get("domainXml")).map(Path::of)
                .or(u::domainXml).map(QemuDriver::readDomain);
        return new Settings(state, tls, speed(options), !"false".equals(options.get("copyRange")), domain,
                pullMethod(options), exportGrace(options));
    }

    private static PullMethod pullMethod(Map<String, String> options) {
        try {
            return PullMethod.parse(options.getOrDefault("pullMethod", "fleecing"));
        } catch (IllegalArgumentException e) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.QEMU, "option " + e.getMessage(), e);
        }
    }

    private static Duration exportGrace(Map<String, String> options) {
        String v = options.get("exportGraceSeconds");
        if (v == null) {
            return BackupPlanner.DEFAULT_EXPORT_GRACE;
        }
        try {
            long seconds = Long.parseLong(v);
            if (seconds >= 0) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.QEMU,
                "option exportGraceSeconds must be a number of seconds >= 0, not '" + v + "'");
    }

    private static DomainDef readDomain(Path file) {
        try {
            return DomainXml.parse(Files.readString(file));
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.READ_FAILED, ErrorDomain.QEMU,
                    "cannot read domain XML '" + file + "': " + e.getMessage(), e);
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

    private static Connection connection(URI uri, QmpChannel qmp, String name, Settings s, Path socket,
            String qemuVersion) {
        Path domainDir = s.state().domainDir(name);
        QemuCapabilities[] probed = new QemuCapabilities[1];
        DomainContext ctx = new DomainContext(name, qmp, () -> {
            if (probed[0] == null) {
                probed[0] = CapabilityCache.get(domainDir, socket, qemuVersion, () -> probe(qmp));
            }
            return probed[0];
        }, domainDir, s.tlsDir(), s.speed(), s.copyRange(), s.userDomain(), s.pullMethod(), s.exportGrace());
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
