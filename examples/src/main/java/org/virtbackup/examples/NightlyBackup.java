// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.examples;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import org.virtbackup.api.BackupEndFlag;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.BackupStartFlag;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.JobEvent;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;

/**
 * The nightly job of a management application: a full push backup the first time, then an incremental one
 * since the current checkpoint, each creating the next checkpoint, with progress on the way. Disks whose
 * checkpoint chain broke (a crash, an image restored from elsewhere) are backed up in full instead of
 * failing the night.
 *
 * <pre>java org.virtbackup.examples.NightlyBackup qmp+unix:///run/vm1/qmp.sock?domain=vm1 [STATE_DIR]</pre>
 */
public final class NightlyBackup {

    private NightlyBackup() {
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: NightlyBackup URI [STATE_DIR]");
            System.exit(2);
        }
        Map<String, String> options = args.length > 1 ? Map.of("stateDir", args[1]) : Map.of();
        JobInfo result = run(args[0], options, System.out);
        System.exit(result.state() == JobState.COMPLETED ? 0 : 1);
    }

    /**
     * Runs one night's backup.
     *
     * @return the final statistics
     */
    public static JobInfo run(String uri, Map<String, String> options, PrintStream out) {
        try (Connection conn = Connections.open(java.net.URI.create(uri), options)) {
            Domain dom = conn.domain();
            Optional<String> since = dom.listAllCheckpoints(EnumSet.of(CheckpointListFlag.LEAVES)).stream()
                    .filter(DomainCheckpoint::isCurrent).map(DomainCheckpoint::name).findFirst();
            String name = "nightly-" + Instant.now().toEpochMilli();
            // No <disks>: every writable disk, targets generated next to each disk as <source>.<checkpoint>.
            String backupXml = since.map(cp -> "<domainbackup><incremental>" + cp + "</incremental></domainbackup>")
                    .orElse("<domainbackup/>");
            String checkpointXml = "<domaincheckpoint><name>" + name + "</name></domaincheckpoint>";
            out.println(since.map(cp -> "incremental backup since " + cp).orElse("full backup") + ", new checkpoint " + name);

            BackupJob job = dom.backupStart(backupXml, checkpointXml, EnumSet.of(BackupStartFlag.INCREMENTAL_FALLBACK_FULL));
            out.print(dom.backupGetXmlDesc());
            // awaitCompletion ends the finished job as libvirt does (targets closed; a failed or cancelled
            // backup takes its new checkpoint with it): no backupEnd after it.
            JobInfo end;
            try (AutoCloseable progress = job.onEvent(e -> report(e, out))) {
                end = job.awaitCompletion(Duration.ofHours(6));
            } catch (Exception e) {
                // A night that did not finish must not leave a checkpoint that pretends the data was saved.
                dom.backupEnd(EnumSet.of(BackupEndFlag.DISCARD_CHECKPOINT)); // cancels, removes partial targets
                throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
            end.notes().forEach(n -> out.println("note: " + n));
            out.println("result: " + end.state() + ", " + end.diskProcessed().orElse(0) + " bytes copied"
                    + end.errorMessage().map(m -> ", error: " + m).orElse(""));
            return end;
        }
    }

    private static void report(JobEvent e, PrintStream out) {
        if (e.type() == JobEvent.Type.PROGRESS) {
            long total = e.info().diskTotal().orElse(0);
            long done = e.info().diskProcessed().orElse(0);
            out.printf("progress: %d%%%n", total == 0 ? 0 : done * 100 / total);
        } else {
            out.println(e.type() + e.disk().map(d -> " " + d).orElse(""));
        }
    }
}
