// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.exec;

import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.plan.Qmp;
import org.virtbackup.qemu.plan.Step;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.qmp.QemuErrors;
import org.virtbackup.qemu.qmp.QmpErrorException;
import org.virtbackup.qemu.qmp.QmpEventListener;

/**
 * Runs {@link Step.DeleteExport}: safe deletion while the grace period lasts, hard deletion after it, then waits
 * for QEMU to report the export gone. QEMU 7.2's safe mode refuses an export with connected clients ("export
 * '%s' still in use") rather than waiting for them, and has no event for a client that disconnects, so the safe
 * deletion is retried every {@link #RETRY}. One instance per plan run: the grace period starts at the first
 * export and is shared by all.
 */
final class ExportDeleter {

    private static final Logger LOG = LoggerFactory.getLogger(ExportDeleter.class);
    /** How often a refused safe deletion is retried. */
    static final Duration RETRY = Duration.ofMillis(100);
    /** How long QEMU may take to drain an export's requests after it accepted the deletion. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

    private final QmpChannel qmp;
    private Instant graceEnds;

    ExportDeleter(QmpChannel qmp) {
        this.qmp = qmp;
    }

    void delete(Step.DeleteExport d) {
        if (graceEnds == null) {
            graceEnds = Instant.now().plus(d.grace());
        }
        String id = d.exportId();
        try (QmpEventListener deleted = qmp.listen(java.util.Set.of("BLOCK_EXPORT_DELETED"),
                data -> id.equals(data.path("id").asText()))) {
            if (!requestDeletion(id)) {
                return;
            }
            awaitDeleted(id, deleted);
        }
    }

    /** False when the export does not exist (any more). */
    private boolean requestDeletion(String id) {
        while (true) {
            boolean hard = !Instant.now().isBefore(graceEnds);
            try {
                qmp.execute(Qmp.blockExportDel(id, hard));
                if (hard) {
                    LOG.info("export '{}' still had clients after the grace period: disconnected them", id);
                }
                return true;
            } catch (QmpErrorException e) {
                if (QemuErrors.isExportMissing(e)) {
                    return false;
                }
                if (QemuErrors.isExportShuttingDown(e)) {
                    return true; // an earlier, interrupted end asked for it; wait for it to go
                }
                if (hard || !QemuErrors.isExportInUse(e)) {
                    throw e;
                }
            }
            sleep(RETRY);
        }
    }

    private void awaitDeleted(String id, QmpEventListener deleted) {
        Instant deadline = Instant.now().plus(DRAIN_TIMEOUT);
        // An export without clients goes at once: its event came before the reply, and no query is needed.
        while (deleted.poll(Duration.ZERO).isEmpty() && exists(id)) {
            if (Instant.now().isAfter(deadline)) {
                throw new VirtBackupException(ErrorCode.OPERATION_TIMEOUT, ErrorDomain.QEMU, "export '" + id
                        + "' was not deleted within " + DRAIN_TIMEOUT.toSeconds() + " s");
            }
            if (deleted.poll(RETRY).isPresent()) {
                return;
            }
        }
    }

    private boolean exists(String id) {
        for (var e : qmp.execute(QmpCommand.of("query-block-exports"))) {
            if (id.equals(e.path("id").asText())) {
                return true;
            }
        }
        return false;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VirtBackupException(ErrorCode.OPERATION_ABORTED, ErrorDomain.QEMU, "interrupted while "
                    + "waiting for NBD clients to disconnect", e);
        }
    }
}
