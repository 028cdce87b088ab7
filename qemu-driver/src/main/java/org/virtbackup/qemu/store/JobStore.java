// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * A domain's job files: {@code backup.json} (the running job), {@code last-job.json} (the statistics of the
 * last ended job, for {@code domjobinfo --completed}) and {@code backups/<checkpoint>.json} (the targets of
 * the push backup that created a checkpoint, so that the next incremental target can name them as its
 * backing file). Callers hold the {@link DomainLock} while they change anything.
 */
public final class JobStore {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path dir;

    /** @param domainDir the domain's state directory */
    public JobStore(Path domainDir) {
        this.dir = domainDir;
    }


    /** The running job, if any. */
    public Optional<JobRecord> current() {
        return AtomicFiles.read(dir.resolve("backup.json")).map(s -> parse(s, JobRecord.class, "backup.json"));
    }

    /** Records the running job (durably). */
    public void save(JobRecord record) {
        AtomicFiles.write(dir.resolve("backup.json"), write(record));
    }

    /** Forgets the running job. */
    public void clear() {
        AtomicFiles.delete(dir.resolve("backup.json"));
    }

    /** The typed parameters of the last ended job. */
    @SuppressWarnings("unchecked")
    public Optional<Map<String, Object>> last() {
        return AtomicFiles.read(dir.resolve("last-job.json")).map(s -> parse(s, Map.class, "last-job.json"));
    }

    /** Records the last ended job. */
    public void saveLast(Map<String, Object> params) {
        AtomicFiles.write(dir.resolve("last-job.json"), write(params));
    }

    /** The targets of the push backup that created {@code checkpoint}, by disk. */
    public Map<String, JobRecord.BackingRef> targetsOf(String checkpoint) {
        Path f = dir.resolve("backups").resolve(checkpoint + ".json");
        return AtomicFiles.read(f).map(s -> {
            try {
                return JSON.readValue(s, JSON.getTypeFactory().constructMapType(Map.class, String.class,
                        JobRecord.BackingRef.class));
            } catch (JsonProcessingException e) {
                throw corrupt(f.getFileName().toString(), e);
            }
        }).map(m -> (Map<String, JobRecord.BackingRef>) m).orElse(Map.of());
    }

    /** Records the targets of the push backup that created {@code checkpoint}. */
    public void saveTargets(String checkpoint, Map<String, JobRecord.BackingRef> targets) {
        Path backups = StateDirectory.ensureDir(dir.resolve("backups"));
        AtomicFiles.write(backups.resolve(checkpoint + ".json"), write(targets));
    }

    /** Forgets the targets recorded for {@code checkpoint} (when the checkpoint is deleted). */
    public void deleteTargets(String checkpoint) {
        AtomicFiles.delete(dir.resolve("backups").resolve(checkpoint + ".json"));
    }

    private static String write(Object o) {
        try {
            return JSON.writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new VirtBackupException(ErrorCode.INTERNAL_ERROR, ErrorDomain.QEMU, "cannot serialise job state: " + e, e);
        }
    }

    private static <T> T parse(String s, Class<T> type, String file) {
        try {
            return JSON.readValue(s, type);
        } catch (JsonProcessingException e) {
            throw corrupt(file, e);
        }
    }

    private static VirtBackupException corrupt(String file, Exception e) {
        return new VirtBackupException(ErrorCode.INTERNAL_ERROR, ErrorDomain.QEMU, "job state file '" + file
                + "' is unreadable (" + e.getMessage() + "); move it aside to start over", e);
    }
}
