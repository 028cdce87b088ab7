// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;

/**
 * Our push backup through the public API, as a management application calls it. The connection is opened
 * before the clock starts and closed after it stops; the laps are {@code start} (backupStart returned),
 * {@code copy} (awaitCompletion returned) and {@code total} (backupEnd returned).
 */
final class OursPush implements PushMethod {
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(10);

    private final Fixture f;
    private final boolean preProbed;

    /**
     * @param preProbed call {@code backupDryRun} with the same XML on the connection before the clock starts,
     *     so the timed part no longer includes the connection's first-use costs (the capability probe,
     *     {@code query-qmp-schema}); shows what caching them would gain
     */
    OursPush(Fixture f, boolean preProbed) {
        this.f = f;
        this.preProbed = preProbed;
    }

    @Override
    public String id() {
        return preProbed ? "ours-preprobed" : "ours";
    }

    @Override
    public String description() {
        return preProbed ? "virtbackup, after an untimed backupDryRun" : "virtbackup (public API)";
    }

    @Override
    public Map<String, Double> run(Path target) {
        return backup(f, backupXml(null, target), null, preProbed);
    }

    /** A push backup of the fixture's disk to {@code target}, incremental when {@code since} is set. */
    static String backupXml(String since, Path target) {
        return "<domainbackup mode='push'>" + (since == null ? "" : "<incremental>" + since + "</incremental>")
                + "<disks><disk name='" + Fixture.DISK + "' type='file'><target file='" + target + "'/>"
                + "<driver type='qcow2'/></disk></disks></domainbackup>";
    }

    /** A checkpoint named {@code name}. */
    static String checkpointXml(String name) {
        return "<domaincheckpoint><name>" + name + "</name></domaincheckpoint>";
    }

    /**
     * Runs one backup and times it.
     *
     * @throws IllegalStateException when the job or its end does not report success
     */
    static Map<String, Double> backup(Fixture f, String backupXml, String checkpointXml, boolean preProbe) {
        try (Connection conn = Connections.open(f.qemu.qmpUri(Fixture.DOMAIN), Map.of("stateDir",
                f.state.toString()))) {
            Domain dom = conn.domain();
            if (preProbe) {
                dom.backupDryRun(backupXml, checkpointXml, Set.of());
            }
            Stopwatch sw = Stopwatch.start();
            BackupJob job = dom.backupStart(backupXml, checkpointXml, Set.of());
            sw.lap("start");
            JobInfo done = job.awaitCompletion(JOB_TIMEOUT);
            sw.lap(Stats.COPY);
            JobInfo end = dom.backupEnd(Set.of());
            sw.lap(Stats.TOTAL);
            if (done.state() != JobState.COMPLETED || !end.success().orElse(false)) {
                throw new IllegalStateException("backup job did not succeed: " + done + " / " + end);
            }
            return sw.laps();
        }
    }
}
