// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.json.JsonTrees;

/**
 * A domain's job files: {@code backup.json} (the running job), {@code last-job.json} (the statistics of the
 * last ended job, for {@code domjobinfo --completed}) and {@code backups/<checkpoint>.json} (the targets of
 * the push backup that created a checkpoint, so that the next incremental target can name them as its
 * backing file). Callers hold the {@link DomainLock} while they change anything.
 *
 * <p>Durability, with the fewest synchronous writes that keep a crash safe. Two kinds of crash matter: the
 * controlling process dies (the kernel keeps every write it made), or the machine dies (QEMU and its jobs
 * die with it; only what was fsynced survives). So:
 * <ol>
 *   <li>{@link #begin}: before the start plan runs, the record lists everything the plan may create, fsynced
 *       once (not once per step). After a machine crash this is what lets any process find and delete the
 *       files a start created; a listed resource the start never got to create is simply not found.</li>
 *   <li>{@link #update} (the job runs, an end decided the outcome and tears down, a speed change): no fsync.
 *       A dead process leaves the new content; a dead machine leaves an older phase, and a job of a dead
 *       QEMU ends the same way from either (failed, its files deleted).</li>
 *   <li>{@link #finish}: the outcome in {@code last-job.json}, then the record removed, made durable with
 *       two fsyncs (the content, then the directory). Only once this holds may a caller be told that a push backup completed: after a machine
 *       crash, a job still on record counts as failed and its targets are deleted.</li>
 * </ol>
 * Two fsyncs start a job and two end it, whatever the number of disks. The checkpoint a job creates is written
 * without fsync at its start, while QEMU copies (an fsync then also waits for the copy's dirty data), and made
 * durable by the end that keeps it, before {@link #finish} (three fsyncs: its file, {@code current}, their
 * directory): a machine crash in between kills the job and the checkpoint's bitmap, which QEMU writes to the
 * image only when it closes it, and the end of such a job discards the checkpoint.
 */
public final class JobStore {

    private final Path dir;

    /** @param domainDir the domain's state directory */
    public JobStore(Path domainDir) {
        this.dir = domainDir;
    }

    /** The running job, if any. */
    public Optional<JobRecord> current() {
        return AtomicFiles.read(record()).map(s -> parse(s, StateJson::jobRecord, "backup.json"));
    }

    /** Records a job about to start, durably: see the class documentation. */
    public void begin(JobRecord record) {
        AtomicFiles.write(record(), JsonTrees.pretty(StateJson.tree(record)));
    }

    /** Records a change of the running job, without fsync: see the class documentation. */
    public void update(JobRecord record) {
        AtomicFiles.replace(record(), JsonTrees.pretty(StateJson.tree(record)));
    }

    /** Forgets a job whose start failed and undid everything it had created. */
    public void clear() {
        AtomicFiles.delete(record());
    }

    /** Records how the job ended without fsync (an end that dies halfway reads it back); see {@link #finish}. */
    public void decided(Map<String, Object> params) {
        AtomicFiles.replace(dir.resolve("last-job.json"), JsonTrees.pretty(StateJson.params(params)));
    }

    /** Records how the job ended and forgets it, durably: see the class documentation. */
    public void finish(Map<String, Object> params) {
        AtomicFiles.writeAndDelete(dir.resolve("last-job.json"), JsonTrees.pretty(StateJson.params(params)), record());
    }

    private Path record() {
        return dir.resolve("backup.json");
    }

    /** The typed parameters of the last ended job. */
    public Optional<Map<String, Object>> last() {
        return AtomicFiles.read(dir.resolve("last-job.json")).map(s -> parse(s, StateJson::params, "last-job.json"));
    }

    /** The targets of the push backup that created {@code checkpoint}, by disk. */
    public Map<String, JobRecord.BackingRef> targetsOf(String checkpoint) {
        Path f = dir.resolve("backups").resolve(checkpoint + ".json");
        return AtomicFiles.read(f).map(s -> parse(s, StateJson::targets, "backups/" + f.getFileName()))
                .orElse(Map.of());
    }

    /** Records the targets of the push backup that created {@code checkpoint}. */
    public void saveTargets(String checkpoint, Map<String, JobRecord.BackingRef> targets) {
        Path backups = StateDirectory.ensureDir(dir.resolve("backups"));
        AtomicFiles.write(backups.resolve(checkpoint + ".json"), JsonTrees.pretty(StateJson.targets(targets)));
    }

    /** Forgets the targets recorded for {@code checkpoint} (when the checkpoint is deleted). */
    public void deleteTargets(String checkpoint) {
        AtomicFiles.delete(dir.resolve("backups").resolve(checkpoint + ".json"));
    }

    private static <T> T parse(String s, Function<JsonNode, T> reader, String file) {
        try {
            return reader.apply(JsonTrees.parse(s));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw corrupt(file, e);
        }
    }

    private static VirtBackupException corrupt(String file, Exception e) {
        return new VirtBackupException(ErrorCode.INTERNAL_ERROR, ErrorDomain.QEMU, "job state file '" + file
                + "' is unreadable (" + e.getMessage() + "); move it aside to start over", e);
    }
}
