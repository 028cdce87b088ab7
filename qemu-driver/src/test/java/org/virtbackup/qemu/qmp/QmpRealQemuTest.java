// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.MachineType;
import org.virtbackup.qemu.testing.RequiresQemu;

/** What only a real QEMU can show: job events, a stuck or killed QEMU, fd passing, the schema probe. */
@RequiresQemu
@Timeout(30)
class QmpRealQemuTest {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    @TempDir
    Path dir;

    private EmbeddedQemu qemu;
    private QmpChannel qmp;

    @BeforeEach
    void setUp() {
        qemu = EmbeddedQemu.builder().machine(MachineType.NONE).workDir(dir.resolve("q")).start();
        qmp = qemu.openQmp();
    }

    @AfterEach
    void tearDown() {
        signal("CONT");
        qmp.close();
        qemu.close();
    }

    private void signal(String name) {
        if (!qemu.isAlive()) {
            return;
        }
        try {
            Process p = new ProcessBuilder("kill", "-" + name, Long.toString(qemu.pid())).start();
            assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private QmpCommand blockdevCreateFile(String jobId, Path file) {
        ObjectNode args = F.objectNode().put("job-id", jobId);
        args.putObject("options").put("driver", "file").put("filename", file.toString()).put("size", 0);
        return new QmpCommand("blockdev-create", args);
    }

    @Test
    void jobEventsInterleaveWithRepliesAndAWatchSeesEveryStatus() {
        Instant deadline = Instant.now().plusSeconds(20);
        try (JobWatch watch = JobWatch.open(qmp, "mk1")) {
            qmp.execute(blockdevCreateFile("mk1", dir.resolve("t.img")));
            assertThat(watch.awaitStatus(EnumSet.of(JobStatus.CONCLUDED), deadline)).isEqualTo(JobStatus.CONCLUDED);
            JsonNode jobs = qmp.execute(QmpCommand.of("query-jobs"));
            assertThat(jobs.get(0).path("status").asText()).isEqualTo("concluded");
            qmp.execute(new QmpCommand("job-dismiss", F.objectNode().put("id", "mk1")));
            assertThat(watch.awaitStatus(EnumSet.of(JobStatus.NULL), deadline)).isEqualTo(JobStatus.NULL);
            // qemu-7.2-qmp-notes.md §1: created, running, waiting, pending, concluded; null after job-dismiss
            assertThat(watch.statuses()).containsExactly(JobStatus.CREATED, JobStatus.RUNNING, JobStatus.WAITING,
                    JobStatus.PENDING, JobStatus.CONCLUDED, JobStatus.NULL);
        }
        assertThat(dir.resolve("t.img")).exists();
    }

    @Test
    void aWatchReportsAJobThatDisappearsInsteadOfWaitingForever() {
        // blockdev-create jobs stop in concluded until dismissed (qemu-7.2-qmp-notes.md §1)
        assertThat(JobWatch.run(qmp, blockdevCreateFile("mk2", dir.resolve("u.img")), "mk2",
                EnumSet.of(JobStatus.CONCLUDED), Instant.now().plusSeconds(20))).isEqualTo(JobStatus.CONCLUDED);
        try (JobWatch watch = JobWatch.open(qmp, "mk2")) {
            qmp.execute(new QmpCommand("job-dismiss", F.objectNode().put("id", "mk2")));
            assertThat(watch.awaitStatus(EnumSet.of(JobStatus.RUNNING), Instant.now().plusSeconds(20)))
                    .isEqualTo(JobStatus.NULL);
        }
    }

    @Test
    void aWatchTimesOutNamingWhatItSaw() {
        try (JobWatch watch = JobWatch.open(qmp, "never-started")) {
            assertThatThrownBy(() -> watch.awaitStatus(EnumSet.of(JobStatus.CONCLUDED),
                    Instant.now().plusMillis(100))).isInstanceOf(QmpTimeoutException.class)
                    .hasMessageContaining("job 'never-started' to reach [CONCLUDED]")
                    .hasMessageContaining("events seen meanwhile: none");
        }
    }

    @Test
    void aCallToAStuckQemuTimesOutAndTheLateReplyIsDropped() {
        signal("STOP");
        assertThatThrownBy(() -> qmp.execute(QmpCommand.of("query-status"), Duration.ofMillis(300)))
                .isInstanceOf(QmpTimeoutException.class);
        signal("CONT");
        assertThat(qmp.execute(QmpCommand.of("query-version")).path("qemu").path("major").asInt()).isEqualTo(7);
        assertThat(qmp.state()).isEqualTo(QmpRunState.RUNNING);
    }

    @Test
    void qemuKilledMidCallFailsThePendingCallAndTellsListeners() throws Exception {
        QmpEventListener l = qmp.listen();
        signal("STOP");
        CompletableFuture<JsonNode> call = CompletableFuture.supplyAsync(
                () -> qmp.execute(QmpCommand.of("query-status"), Duration.ofSeconds(20)));
        Thread.sleep(200); // let the call reach the socket; QEMU cannot answer while stopped
        assertThat(call).isNotDone();
        qemu.kill();
        try {
            call.get(10, TimeUnit.SECONDS);
            throw new AssertionError("the call should have failed");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(QmpDisconnectedException.class)
                    .hasMessageContaining("'query-status'");
        }
        assertThatThrownBy(() -> l.poll(Duration.ofSeconds(5))).isInstanceOf(QmpDisconnectedException.class);
        assertThat(qmp.state()).isEqualTo(QmpRunState.CLOSED);
        assertThat(qemu.isAlive()).isFalse();
    }

    @Test
    void anInterruptedCallerDoesNotCloseTheChannelForEveryone() {
        // The JDK's socket channel is interruptible: a write by an interrupted thread would close it.
        Thread.currentThread().interrupt();
        try {
            qmp.execute(QmpCommand.of("query-status")); // returns, when the reply came before the wait began
        } catch (QmpInterruptedException expected) {
            // the wait for the reply saw the flag: the caller's own call gives up, nobody else's
        } finally {
            assertThat(Thread.interrupted()).isTrue(); // the caller's flag is kept (and cleared here)
        }
        assertThat(qmp.state()).isEqualTo(QmpRunState.RUNNING);
        assertThat(qmp.execute(QmpCommand.of("query-status")).path("status").asText()).isNotEmpty();
    }

    @Test
    void fileDescriptorsPassWithTheCommand() throws IOException {
        Path file = dir.resolve("fd.img");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            // the JDK's unix socket passes none: refused before anything is sent, and the channel stays usable
            assertThatThrownBy(() -> qmp.execute(new QmpCommand("getfd", F.objectNode().put("fdname", "fd0")),
                    raf.getFD())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("unixPassingDescriptors");
            assertThat(qmp.execute(QmpCommand.of("query-fdsets")).size()).isZero();
            qmp.close();
            qmp = QmpChannel.unixPassingDescriptors(qemu.qmpSocket(), Duration.ofSeconds(5), Duration.ofSeconds(10));
            qmp.connect();

            QmpErrorException none = org.junit.jupiter.api.Assertions.assertThrows(QmpErrorException.class,
                    () -> qmp.execute(new QmpCommand("getfd", F.objectNode().put("fdname", "nofd"))));
            assertThat(none.isClass("GenericError")).isTrue();
            assertThat(none.desc()).contains("SCM_RIGHTS");

            qmp.execute(new QmpCommand("getfd", F.objectNode().put("fdname", "fd0")), raf.getFD());
            qmp.execute(new QmpCommand("closefd", F.objectNode().put("fdname", "fd0")));

            JsonNode added = qmp.execute(new QmpCommand("add-fd",
                    F.objectNode().put("fdset-id", 1).put("opaque", "rw:" + file)), raf.getFD());
            assertThat(added.path("fdset-id").asInt()).isEqualTo(1);
            JsonNode sets = qmp.execute(QmpCommand.of("query-fdsets"));
            assertThat(sets.get(0).path("fdset-id").asInt()).isEqualTo(1);
            assertThat(sets.get(0).path("fds").get(0).path("fd").asInt()).isEqualTo(added.path("fd").asInt());
            assertThat(sets.get(0).path("fds").get(0).path("opaque").asText()).isEqualTo("rw:" + file);
            // the next command carries no descriptor again
            assertThatThrownBy(() -> qmp.execute(new QmpCommand("getfd", F.objectNode().put("fdname", "fd1"))))
                    .isInstanceOf(QmpErrorException.class);
        }
    }

    @Test
    void theCapabilityProbeFindsEverythingIn72() {
        assertThat(QemuCapabilities.probe(qmp)).isEqualTo(QemuCapabilities.QEMU_7_2);
    }
}
