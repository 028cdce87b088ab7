// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.plan.PullMethod;
import org.virtbackup.qemu.plan.Resource;
import org.virtbackup.qemu.qmp.QemuCapabilities;

/**
 * The job files keep the format Jackson's data binding wrote before the hand-written mapping: the golden files
 * under {@code src/test/resources/org/virtbackup/qemu/store/} were written by that earlier version, and must read
 * back into the same records and be written again byte for byte.
 */
class StateJsonTest {

    @TempDir
    Path dir;

    private static String golden(String name) throws IOException {
        try (InputStream in = StateJsonTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static JobRecord pull() throws IOException {
        ObjectMapper m = new ObjectMapper(); // the oracle of what a tree read from text is
        JsonNode qb = m.readTree("[{\"device\":\"vda\",\"inserted\":{\"node-name\":\"fmt-vda\",\"image\":{\"virtual-size\":"
                + "18446744073709551615,\"actual-size\":1073741824,\"dirty-flag\":false,\"ratio\":0.5}},\"locked\":false,"
                + "\"x\":null,\"esc\":\"a\\\"b\\\\c\\u0001\u00e9\"}]");
        JsonNode nn = m.readTree("[{\"node-name\":\"fmt-vda\",\"dirty-bitmaps\":[],\"file\":\"/tmp/a b.qcow2\",\"cache\":{}}]");
        return new JobRecord("backup-1765000000000", BackupMode.PULL, JobRecord.Phase.RUNNING, 1765000000000L,
                new JobRecord.Options(true, false, "/etc/pki/x", 0, false, PullMethod.CBW, true),
                "<domainbackup mode='pull'>\n  <server transport='unix' socket='/tmp/s'/>\n</domainbackup>\n", "cp2",
                List.of("vda", "vdb"), Map.of("cp1", new TreeMap<>(Map.of("vda", "cp1", "vdb", "cp1"))),
                Map.of("vda", new JobRecord.BackingRef("/b/vda.0.qcow2", "qcow2")), qb, nn,
                Map.of("drive-virtio-disk0", "vda"), new QemuCapabilities(true, true, false, true, true), true,
                List.of(new Resource.Node("vb-vda-fleece"), new Resource.Job("vb-vda-job"),
                        new Resource.Bitmap("fmt-vda", "cp2"), new Resource.File("/tmp/scratch vda.qcow2"),
                        new Resource.Export("vb-vda"), new Resource.NbdServer(), new Resource.QomObject("vb-tls")),
                List.of("vdb: backed up in full"));
    }

    private static JobRecord push() {
        return new JobRecord("backup-1", BackupMode.PUSH, JobRecord.Phase.STARTING, 1L,
                new JobRecord.Options(false, true, null, 1048576, true, PullMethod.FLEECING, false),
                "<domainbackup/>", null, List.of(), null, Map.of(), null, null, null, QemuCapabilities.QEMU_7_2, false,
                List.of(), List.of());
    }

    private Path backupJson() {
        return dir.resolve("backup.json");
    }

    @Test
    void aJobRecordReadsBackAndIsWrittenAsBefore() throws Exception {
        JobStore jobs = new JobStore(dir);
        for (Map.Entry<String, JobRecord> c : Map.of("backup-pull.json", pull(), "backup-push.json", push()).entrySet()) {
            Files.writeString(backupJson(), golden(c.getKey()));
            assertThat(jobs.current()).as(c.getKey()).contains(c.getValue());
            jobs.update(c.getValue());
            assertThat(Files.readString(backupJson())).as(c.getKey()).isEqualTo(golden(c.getKey()));
        }
    }

    @Test
    void theLastJobAndABackupsTargetsReadBackAndAreWrittenAsBefore() throws Exception {
        JobStore jobs = new JobStore(dir);
        Map<String, Object> last = new LinkedHashMap<>();
        last.put("time_elapsed", 1234);
        last.put("disk_total", 5368709120L);
        last.put("disk_processed", 12);
        last.put("errmsg", "it \"failed\"");
        last.put("state", "FAILED");
        last.put("mode", "PUSH");
        last.put("notes", List.of("a", "b"));
        last.put("discardCheckpoint", true);
        Files.writeString(dir.resolve("last-job.json"), golden("last-job.json"));
        assertThat(jobs.last()).contains(last);
        jobs.finish(last);
        assertThat(Files.readString(dir.resolve("last-job.json"))).isEqualTo(golden("last-job.json"));

        Map<String, JobRecord.BackingRef> targets = new TreeMap<>(Map.of(
                "vda", new JobRecord.BackingRef("/b/vda.1.qcow2", "qcow2"),
                "vdb", new JobRecord.BackingRef("/b/vdb.1.raw", "raw")));
        jobs.saveTargets("cp2", targets);
        assertThat(Files.readString(dir.resolve("backups/cp2.json"))).isEqualTo(golden("targets.json"));
        assertThat(jobs.targetsOf("cp2")).isEqualTo(targets);
        assertThat(jobs.targetsOf("cp-none")).isEmpty();
    }

    @Test
    void unknownFieldsAreIgnoredAndEnumsReadInAnyCase() throws Exception {
        String text = golden("backup-push.json").replace("\"PUSH\"", "\"push\"").replace("\"FLEECING\"", "\"Fleecing\"")
                .replace("\"jobId\"", "\"fromALaterVersion\" : [ 1, { } ],\n  \"jobId\"");
        Files.writeString(backupJson(), text);
        assertThat(new JobStore(dir).current()).contains(push());
    }

    @Test
    void aDamagedRecordIsAnErrorThatSaysWhatToDo() throws Exception {
        String good = golden("backup-pull.json");
        for (String bad : List.of(good.substring(0, good.length() / 2), good.replace("\"jobId\"", "\"jobid\""),
                good.replace("\"RUNNING\"", "\"SLEEPING\""), good.replace("\"nbd-server\"", "\"printer\""),
                good.replace("\"CBW\"", "null"))) {
            Files.writeString(backupJson(), bad);
            assertThatThrownBy(() -> new JobStore(dir).current()).isInstanceOfSatisfying(VirtBackupException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL_ERROR))
                    .hasMessageContaining("job state file 'backup.json' is unreadable").hasMessageContaining("move it aside");
        }
    }
}
