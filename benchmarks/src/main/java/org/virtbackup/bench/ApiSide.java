// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;

/**
 * A side driven through virtbackup's public API, as a management application calls it: our QEMU driver
 * ({@code qmp+unix}) or our libvirt driver ({@code qemu:///embed}); the same calls, only the connection differs.
 * A push is awaited with {@code BackupJob.awaitCompletion} (events: QEMU's, or libvirt's JOB_COMPLETED).
 */
final class ApiSide extends AbstractSide {
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private final Connection conn;
    private final Domain dom;
    private BackupJob job;

    ApiSide(String id, Path dir, List<String> disks, Connection conn) {
        super(id, dir, disks);
        this.conn = conn;
        this.dom = conn.domain();
    }

    @Override
    public void begin(String backupXml, String checkpointXml) {
        job = dom.backupStart(backupXml, checkpointXml, Set.of());
    }

    @Override
    public void awaitPush() {
        JobInfo done = job.awaitCompletion(TIMEOUT);
        if (done.state() != JobState.COMPLETED) {
            throw new IllegalStateException(id() + ": push did not succeed: " + done);
        }
    }

    @Override
    public void endPull() {
        dom.backupEnd(Set.of());
    }

    @Override
    public void createCheckpoint(String name) {
        dom.checkpointCreateXml("<domaincheckpoint><name>" + name + "</name></domaincheckpoint>", Set.of());
    }

    @Override
    public List<String> listCheckpoints() {
        return dom.listAllCheckpoints(Set.of()).stream().map(DomainCheckpoint::name).toList();
    }

    @Override
    public void deleteCheckpoint(String name) {
        dom.checkpointLookupByName(name).delete(Set.of());
    }

    /** Closes the connection. */
    void close() {
        conn.close();
    }
}
