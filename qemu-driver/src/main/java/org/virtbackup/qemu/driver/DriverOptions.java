// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.plan.BackupPlanner;
import org.virtbackup.qemu.plan.PullMethod;

/**
 * The {@code qmp+unix} driver's connection options (see {@link QemuDriver}), parsed and checked once: an
 * unknown key or a bad value is refused with {@code INVALID_ARG}, as an unknown URI parameter is.
 *
 * @param stateDir {@code stateDir}
 * @param domain {@code domain}
 * @param domainXml {@code domainXml}
 * @param tlsDir {@code tlsDir}, else {@code $VIRTBACKUP_BACKUP_TLS_DIR}
 * @param backupSpeed {@code backupSpeed}, bytes per second per disk, 0 for none
 * @param copyRange {@code copyRange}
 * @param pullMethod {@code pullMethod}
 * @param exportGrace {@code exportGraceSeconds}
 * @param hold {@code qmpHold}
 * @param qmpWait {@code qmpWait}
 */
record DriverOptions(Optional<Path> stateDir, Optional<String> domain, Optional<Path> domainXml,
        Optional<String> tlsDir, long backupSpeed, boolean copyRange, PullMethod pullMethod, Duration exportGrace,
        QmpSession.Hold hold, Duration qmpWait) {

    /** Every option the driver knows. */
    static final Set<String> KEYS = Set.of("stateDir", "domain", "domainXml", "tlsDir", "backupSpeed", "copyRange",
            "pullMethod", "exportGraceSeconds", "qmpHold", "qmpWait");

    /** @throws VirtBackupException {@code INVALID_ARG} naming the option at fault */
    static DriverOptions parse(Map<String, String> options) {
        for (String key : options.keySet()) {
            if (!KEYS.contains(key)) {
                throw invalid("unknown option '" + key + "' (known: " + String.join(", ", new TreeSet<>(KEYS)) + ")");
            }
        }
        return new DriverOptions(Optional.ofNullable(options.get("stateDir")).map(Path::of),
                Optional.ofNullable(options.get("domain")), Optional.ofNullable(options.get("domainXml")).map(Path::of),
                Optional.ofNullable(options.get("tlsDir")).or(() -> Optional.ofNullable(System.getenv("VIRTBACKUP_BACKUP_TLS_DIR"))),
                backupSpeed(options.getOrDefault("backupSpeed", "0")), copyRange(options.getOrDefault("copyRange", "true")),
                pullMethod(options.getOrDefault("pullMethod", PullMethod.FLEECING.optionName())),
                exportGrace(options.get("exportGraceSeconds")), hold(options.getOrDefault("qmpHold", "operation")),
                qmpWait(options.getOrDefault("qmpWait", "5")));
    }

    private static long backupSpeed(String v) {
        try {
            long speed = Long.parseLong(v);
            if (speed >= 0) {
                return speed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid("option backupSpeed must be a number of bytes per second >= 0, not '" + v + "'");
    }

    private static boolean copyRange(String v) {
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        throw invalid("option copyRange must be 'true' or 'false', not '" + v + "'");
    }

    private static PullMethod pullMethod(String v) {
        try {
            return PullMethod.parse(v);
        } catch (IllegalArgumentException e) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.QEMU, "option " + e.getMessage(), e);
        }
    }

    private static Duration exportGrace(String v) {
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
        throw invalid("option exportGraceSeconds must be a number of seconds >= 0, not '" + v + "'");
    }

    private static QmpSession.Hold hold(String v) {
        try {
            return QmpSession.Hold.parse(v);
        } catch (IllegalArgumentException e) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.QEMU, "option " + e.getMessage(), e);
        }
    }

    private static Duration qmpWait(String v) {
        try {
            double seconds = Double.parseDouble(v);
            if (seconds >= 0 && seconds <= 3600) {
                return Duration.ofMillis(Math.round(seconds * 1000));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid("option qmpWait must be a number of seconds from 0 to 3600, not '" + v + "'");
    }

    private static VirtBackupException invalid(String message) {
        return new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.QEMU, message);
    }
}
