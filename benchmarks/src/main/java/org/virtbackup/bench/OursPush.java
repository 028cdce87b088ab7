// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.api.JobEvent;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.qemu.qmp.QmpEventListener;

/**
 * Our push backup through the public API, as a management application calls it. The connection is opened
 * before the clock starts and closed after it stops; the laps are {@code start} (backupStart returned),
 * {@code copy} (a listener heard the disk completed: QEMU's event, as libvirt's row hears it) and
 * {@code total} (awaitCompletion returned: the job is ended, its target closed, as libvirt finalizes a push).
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
     * Runs one backup and times it. Besides the laps, {@link #SEEN_AFTER_CONCLUDED} is how long after QEMU
     * reported the copy job {@code concluded} (its {@code JOB_STATUS_CHANGE} event, heard on the private
     * control monitor as it was sent) our listener heard that the disk completed: the latency of completion
     * seen from events.
     *
     * @throws IllegalStateException when the job does not report success
     */
    static Map<String, Double> backup(Fixture f, String backupXml, String checkpointXml, boolean preProbe) {
        try (Connection conn = Connections.open(f.qemu.qmpUri(Fixture.DOMAIN), Map.of("stateDir",
                f.state.toString()));
                QmpEventListener qemuEvents = f.qemu.listenControl("JOB_STATUS_CHANGE")) {
            Domain dom = conn.domain();
            if (preProbe) {
                dom.backupDryRun(backupXml, checkpointXml, Set.of());
            }
            AtomicLong concluded = new AtomicLong();
            Thread watcher = new Thread(() -> awaitConcluded(qemuEvents, concluded), "bench-qemu-events");
            watcher.setDaemon(true);
            watcher.start();
            AtomicLong seen = new AtomicLong();
            Stopwatch sw = Stopwatch.start();
            BackupJob job = dom.backupStart(backupXml, checkpointXml, Set.of());
            sw.lap("start");
            JobInfo done;
            try (AutoCloseable events = job.onEvent(e -> {
                if (e.type() == JobEvent.Type.DISK_COMPLETED) {
                    seen.set(System.nanoTime());
                }
            })) {
                done = job.awaitCompletion(JOB_TIMEOUT); // ends the job too, as libvirt finalizes a finished push
            }
            sw.lap(Stats.TOTAL);
            watcher.join(10_000);
            if (done.state() != JobState.COMPLETED) {
                throw new IllegalStateException("backup job did not succeed: " + done);
            }
            Map<String, Double> laps = new LinkedHashMap<>(sw.laps());
            if (seen.get() != 0 && concluded.get() != 0) { // a tiny job may finish before the listener's first look
                laps.put(Stats.COPY, sw.at(seen.get()));
                laps.put(SEEN_AFTER_CONCLUDED, (seen.get() - concluded.get()) / 1e9);
            }
            return laps;
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    /** The extra phase of {@link #backup}: seconds from QEMU's concluded event to our listener hearing it. */
    static final String SEEN_AFTER_CONCLUDED = "seenAfterConcluded";

    /** Records when the backup job's {@code concluded} event arrives. */
    private static void awaitConcluded(QmpEventListener events, AtomicLong at) {
        while (at.get() == 0) {
            try {
                events.poll(Duration.ofMillis(100)).filter(e -> e.dataText("id").startsWith("vb-backup-")
                        && e.dataText("status").equals("concluded")).ifPresent(e -> at.set(System.nanoTime()));
            } catch (RuntimeException closed) {
                return;
            }
        }
    }
}
