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
import java.util.function.Supplier;
import org.virtbackup.api.Connection;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.plan.PullMethod;
import org.virtbackup.qemu.qmp.QemuCapabilities;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.qmp.QmpException;
import org.virtbackup.qemu.qmp.QmpGreeting;
import org.virtbackup.qemu.store.StateDirectory;
import org.virtbackup.spi.ConnectionDriver;
import org.virtbackup.xml.DomainXml;
import org.virtbackup.xml.model.DomainDef;

/**
 * The {@code qmp+unix} driver. Options (each also settable where noted; an unknown one is refused):
 * <ul>
 *   <li>{@code stateDir}: else the URI's {@code statedir}, else SPEC §5's default;</li>
 *   <li>{@code domain}: the domain's name when the URI names none (its {@code domain} comes first); else
 *       QEMU's {@code -name}. A stopped domain can only be opened by name;</li>
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
 *   <li>{@code qmpHold}: {@code operation} (the default) connects to the QMP socket when an operation needs
 *       QEMU and lets go when it ends, so other clients (another process, a CLI verb) can use the socket
 *       between operations; {@code connection} holds the socket from open to close;</li>
 *   <li>{@code qmpWait}: seconds to wait for a QMP socket another client holds (default 5) before failing
 *       with {@code RESOURCE_BUSY}: QEMU greets the next client as soon as the holder lets go.</li>
 * </ul>
 *
 * <p>A stopped domain: when no QEMU listens on the socket but the URI names a domain the state directory
 * knows, the connection opens anyway, as libvirt serves an inactive domain: checkpoint metadata can be
 * listed, read, redefined and deleted ({@code METADATA_ONLY}), and a backup job on record can be ended and its
 * files cleaned up after QEMU died. Whatever needs QEMU fails as libvirt's does for an inactive domain. Each
 * operation connects anew, so a QEMU started later is used.
 */
public final class QemuDriver implements ConnectionDriver {

    /** The settings that do not come from QEMU. */
    private record Settings(StateDirectory state, Optional<String> tlsDir, long speed, boolean copyRange,
            Optional<DomainDef> userDomain, PullMethod pullMethod, Duration exportGrace, QmpSession.Hold hold,
            Duration qmpWait) {
    }

    @Override
    public Set<String> uriSchemes() {
        return Set.of(QemuUri.SCHEME);
    }

    @Override
    public Connection open(URI uri, Map<String, String> options) {
        DriverOptions o = DriverOptions.parse(options);
        QemuUri u = withDomainOption(QemuUri.parse(uri), o.domain().orElse(null));
        Settings settings = settings(u, o);
        QmpSession qmp = new QmpSession(u.socket(), settings.hold(), settings.qmpWait());
        try (QmpSession.Operation op = qmp.begin()) {
            Optional<QmpGreeting> greeting;
            try {
                greeting = qmp.reach();
            } catch (QmpException e) {
                throw e.toVirtBackupException();
            }
            if (greeting.isEmpty()) {
                return new QemuConnection(uri, qmp, context(qmp, stoppedDomain(u, settings), settings));
            }
            DomainContext ctx = context(qmp, u.domain().orElseGet(() -> nameOf(qmp.channel())), settings);
            // Reconciliation at open: report (warn) what does not match, change nothing.
            CheckpointRepair.logAtOpen(ctx);
            return new QemuConnection(uri, qmp, ctx);
        } catch (RuntimeException e) {
            qmp.close();
            throw e;
        }
    }

    /** The URI with the {@code domain} option as its domain, unless the URI names one. */
    private static QemuUri withDomainOption(QemuUri u, String domain) {
        if (domain == null || u.domain().isPresent()) {
            return u;
        }
        return new QemuUri(u.socket(), Optional.of(domain), u.stateDir(), u.domainXml());
    }

    /** The URI's domain when the state directory knows it; else why the connection cannot open. */
    private static String stoppedDomain(QemuUri u, Settings settings) {
        String why = "cannot connect to QEMU at '" + u.socket() + "': no QEMU listens on it (socket missing or "
                + "refusing)";
        if (u.domain().isEmpty()) {
            throw new VirtBackupException(ErrorCode.NO_CONNECT, ErrorDomain.QEMU, why + "; to work on a stopped "
                    + "domain's checkpoint metadata, name it in the URI (?domain=NAME) or the option domain");
        }
        if (!Files.isDirectory(settings.state().root().resolve(u.domain().get()))) {
            throw new VirtBackupException(ErrorCode.NO_CONNECT, ErrorDomain.QEMU, why + ", and the state directory '"
                    + settings.state().root() + "' knows no domain '" + u.domain().get() + "'");
        }
        return u.domain().get();
    }

    private static Settings settings(QemuUri u, DriverOptions o) {
        StateDirectory state = StateDirectory.resolveDefault(o.stateDir().or(u::stateDir));
        Optional<DomainDef> domain = o.domainXml().or(u::domainXml).map(QemuDriver::readDomain);
        return new Settings(state, o.tlsDir(), o.backupSpeed(), o.copyRange(), domain, o.pullMethod(),
                o.exportGrace(), o.hold(), o.qmpWait());
    }

    static DomainDef readDomain(Path file) {
        try {
            return DomainXml.parse(Files.readString(file));
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.READ_FAILED, ErrorDomain.QEMU,
                    "cannot read domain XML '" + file + "': " + e.getMessage(), e);
        }
    }

    private static DomainContext context(QmpSession qmp, String name, Settings s) {
        Path domainDir = s.state().domainDir(name);
        return new DomainContext(name, qmp, capabilities(qmp, domainDir), domainDir, s.tlsDir(), s.speed(),
                s.copyRange(), s.userDomain(), s.pullMethod(), s.exportGrace(), new JobLayouts(), Host.QEMU);
    }

    /** The capabilities of what answers on the session's socket, probed once per connection to it. */
    static Supplier<QemuCapabilities> capabilities(QmpSession qmp, Path domainDir) {
        return new Capabilities(qmp, domainDir);
    }

    /**
     * The capabilities of the QEMU behind the socket: from {@link CapabilityCache}, looked up again after each
     * new connection to the socket (QEMU may have been restarted, or upgraded, in between).
     */
    private static final class Capabilities implements Supplier<QemuCapabilities> {
        private final QmpSession qmp;
        private final Path domainDir;
        private long generation = -1;
        private QemuCapabilities caps;

        Capabilities(QmpSession qmp, Path domainDir) {
            this.qmp = qmp;
            this.domainDir = domainDir;
        }

        @Override
        public synchronized QemuCapabilities get() {
            try (QmpSession.Operation op = qmp.begin()) {
                String version = qmp.greeting().version();
                if (caps == null || generation != qmp.generation()) {
                    caps = CapabilityCache.get(domainDir, qmp.socket(), version, () -> probe(qmp.channel()));
                    generation = qmp.generation();
                }
                return caps;
            } catch (QmpException e) {
                throw e.toVirtBackupException();
            }
        }
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
