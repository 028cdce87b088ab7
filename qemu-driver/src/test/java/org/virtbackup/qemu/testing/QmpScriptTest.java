// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.qemu.qmp.JobStatus;
import org.virtbackup.qemu.qmp.JobWatch;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.qmp.QmpErrorException;

/** Replays the start of the reference push-full trace (qmp-traces/s1_push_full.trace) against the client. */
@Timeout(20)
class QmpScriptTest {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    @TempDir
    Path dir;

    private static QmpScript script() throws IOException {
        try (InputStream in = QmpScriptTest.class.getResourceAsStream("s1-push-full.trace")) {
            return QmpScript.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static QmpCommand cmd(String name, ObjectNode args) {
        return new QmpCommand(name, args);
    }

    private static ObjectNode blockdevAdd(String driver, String node, String fileKey, String file) {
        return F.objectNode().put("driver", driver).put("node-name", node).put(fileKey, file);
    }

    @Test
    void aRecordedPushBackupReplays() throws IOException {
        QmpScript script = script();
        assertThat(script.expectedCommands()).startsWith("query-version", "blockdev-add").contains("blockdev-backup");
        try (FakeQmpServer server = FakeQmpServer.start(dir.resolve("qmp.sock"), script);
                QmpChannel qmp = QmpChannel.unix(server.socket())) {
            qmp.connect();
            qmp.execute(QmpCommand.of("query-version"));
            qmp.execute(cmd("blockdev-add", blockdevAdd("file", "src-file", "filename", "$WORK/s1/src.qcow2")));
            qmp.execute(cmd("blockdev-add", blockdevAdd("qcow2", "src", "file", "src-file")));
            qmp.execute(cmd("blockdev-add", blockdevAdd("file", "tgtA-file", "filename", "$WORK/s1/fullA.qcow2")));
            qmp.execute(cmd("blockdev-add", blockdevAdd("qcow2", "tgtA", "file", "tgtA-file")));
            Instant deadline = Instant.now().plusSeconds(10);
            try (JobWatch watch = JobWatch.open(qmp, "fullA")) {
                qmp.execute(cmd("blockdev-backup", F.objectNode().put("job-id", "fullA").put("device", "src")
                        .put("target", "tgtA").put("sync", "full").put("auto-dismiss", false)));
                qmp.execute(QmpCommand.of("query-jobs"));
                assertThat(watch.awaitStatus(EnumSet.of(JobStatus.CONCLUDED), deadline))
                        .isEqualTo(JobStatus.CONCLUDED);
                assertThat(qmp.execute(QmpCommand.of("query-jobs")).get(0).path("status").asText())
                        .isEqualTo("concluded");
                qmp.execute(QmpCommand.of("query-block-jobs"));
                qmp.execute(cmd("job-dismiss", F.objectNode().put("id", "fullA")));
                assertThat(watch.awaitStatus(EnumSet.of(JobStatus.NULL), deadline)).isEqualTo(JobStatus.NULL);
                assertThat(watch.statuses()).containsExactly(JobStatus.CREATED, JobStatus.RUNNING, JobStatus.PAUSED,
                        JobStatus.RUNNING, JobStatus.WAITING, JobStatus.PENDING, JobStatus.CONCLUDED, JobStatus.NULL);
            }
            assertThat(qmp.execute(QmpCommand.of("query-jobs"))).isEmpty();
            qmp.execute(cmd("blockdev-del", F.objectNode().put("node-name", "tgtA")));
            qmp.execute(cmd("blockdev-del", F.objectNode().put("node-name", "tgtA-file")));
        }
        script.assertComplete();
    }

    @Test
    void aDivergenceIsAnsweredWithAnErrorAndReported() throws IOException {
        QmpScript script = script();
        try (FakeQmpServer server = FakeQmpServer.start(dir.resolve("qmp.sock"), script);
                QmpChannel qmp = QmpChannel.unix(server.socket())) {
            qmp.connect();
            assertThatThrownBy(() -> qmp.execute(QmpCommand.of("query-status")))
                    .isInstanceOf(QmpErrorException.class).hasMessageContaining("qmp script mismatch");
        }
        assertThatThrownBy(script::assertComplete).isInstanceOf(AssertionError.class)
                .hasMessageContaining("played 0 of");
    }
}
