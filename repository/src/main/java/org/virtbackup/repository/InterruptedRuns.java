// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.virtbackup.api.BackupEndFlag;
import org.virtbackup.api.Domain;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;

/**
 * Cleans up after a {@code repo backup} that was killed (the JVM, or the host): its partial point is removed,
 * the {@code qemu-nbd} servers it left are stopped, and its checkpoint is discarded, by ending its backup job
 * with {@link BackupEndFlag#DISCARD_CHECKPOINT} when the job still runs (recognised by the export socket the
 * run recorded), else by deleting the checkpoint when the domain still has it. The next incremental then covers
 * every change since the last complete point. Runs under the repository's lock, before a new backup.
 */
final class InterruptedRuns {
    private InterruptedRuns() {
    }

    static void cleanUp(Repository repo, Domain dom, Consumer<String> log) {
        for (Path part : repo.partials(dom.name())) {
            String name = part.getFileName().toString();
            String checkpoint = name.substring(1, name.length() - Repository.PARTIAL_SUFFIX.length());
            log.accept("cleaning up point " + checkpoint + ", left incomplete by an interrupted run");
            Optional<Path> sockets = RunRecord.sockets(part);
            sockets.ifPresent(s -> {
                int n = RunRecord.stopServers(s);
                if (n > 0) {
                    log.accept("stopped " + n + " qemu-nbd server(s) of the interrupted run");
                }
            });
            if (!(sockets.isPresent() && endJob(dom, sockets.get(), log))) {
                deleteCheckpoint(dom, checkpoint, log);
            }
            PointFiles.deleteTree(part);
            sockets.ifPresent(PointFiles::deleteTree);
        }
    }

    /** Ends the running job when it is the interrupted run's own (it exports on that run's socket). */
    private static boolean endJob(Domain dom, Path sockets, Consumer<String> log) {
        if (dom.currentBackup().isEmpty()) {
            return false;
        }
        String xml;
        try {
            xml = dom.backupGetXmlDesc();
        } catch (VirtBackupException e) {
            if (e.code() == ErrorCode.NO_DOMAIN_BACKUP) {
                return false;
            }
            throw e;
        }
        if (!xml.contains(BackupXml.escape(RepoBackup.exportSocket(sockets).toString()))) {
            return false; // another's job: left alone (the backup start will then say one runs)
        }
        dom.backupEnd(EnumSet.of(BackupEndFlag.DISCARD_CHECKPOINT));
        log.accept("ended the interrupted run's backup job, its checkpoint discarded");
        return true;
    }

    private static void deleteCheckpoint(Domain dom, String checkpoint, Consumer<String> log) {
        try {
            dom.checkpointLookupByName(checkpoint).delete(Set.of());
            log.accept("deleted checkpoint " + checkpoint + " of the interrupted run");
        } catch (VirtBackupException e) {
            if (e.code() != ErrorCode.NO_DOMAIN_CHECKPOINT) {
                throw e;
            }
        }
    }
}
