// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.nbd.testing.Tools;
import org.virtbackup.qemu.testing.RequiresQemu;
import org.virtbackup.repository.RepoBackup;
import org.virtbackup.repository.RepoLock;
import org.virtbackup.repository.Repository;

/**
 * {@code repo backup} in a child JVM: SIGKILLed while it writes a point (the next run cleans up after it and is
 * good), and refused at once while another process holds the repository.
 */
@RequiresQemu
@Timeout(240)
class RepoKillTest {
    private static final long M = 1 << 20;

    @TempDir
    Path tmp;

    CliDomain d;
    Path repo;
    /** The killed child's private sockets directory, as its partial point records it. */
    Path sockets = Path.of("/nonexistent");
    final List<Process> children = new ArrayList<>();

    @BeforeEach
    void start() {
        d = new CliDomain(tmp);
        repo = tmp.resolve("repo");
    }

    @AfterEach
    void stop() throws Exception {
        for (Process p : children) {
            p.destroyForcibly().waitFor();
        }
        for (ProcessHandle h : orphanServers(sockets)) { // when the test failed before the next run stopped it
            h.destroyForcibly();
            h.onExit().get(10, TimeUnit.SECONDS);
        }
        Tools.run("rm", "-rf", sockets.toString());
        d.close();
    }

    @Test
    void aRunKilledMidWriteLeavesNoPointAndTheNextRunDiscardsItsCheckpointAndContinuesTheChain() throws Exception {
        CliRunner.Result full = d.cli("--json", "repo", "backup", repo.toString());
        assertThat(full.exitCode()).as("%s", full).isZero();
        String p0 = new ObjectMapper().readTree(full.out()).path("checkpoint").asText();
        d.qemu.guestWrite("vda", 0, 24 * M, 0x71);

        Process child = child("repo", "backup", repo.toString(), "--workers", "1");
        Path part = awaitWriting(child);
        child.destroyForcibly(); // SIGKILL: no finally, no shutdown hook
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String killed = part.getFileName().toString().replaceAll("^\\.|\\.part$", "");
        assertThat(orphanServers(sockets)).as("the killed run's qemu-nbd outlives it").isNotEmpty();

        CliRunner.Result list = CliRunner.run("--json", "repo", "list", repo.toString());
        assertThat(new ObjectMapper().readTree(list.out())).as("a killed run's point is never listed").hasSize(1);
        assertThat(d.cli("checkpoint-list", "--name").out()).as("its job and checkpoint still exist")
                .contains(killed);

        Path refA = d.reference("vda");
        Path refB = d.reference("vdb");
        CliRunner.Result next = d.cli("repo", "backup", repo.toString());
        assertThat(next.exitCode()).as("%s", next).isZero();
        assertThat(next.out()).contains("cleaning up point " + killed + ", left incomplete by an interrupted run")
                .contains("stopped 2 qemu-nbd server(s) of the interrupted run")
                .contains("ended the interrupted run's backup job, its checkpoint discarded")
                .contains("incremental backup of 'vm1' since " + p0);
        assertThat(orphanServers(sockets)).isEmpty();
        assertThat(sockets).doesNotExist();
        assertThat(part).doesNotExist();
        assertThat(d.cli("checkpoint-list", "--name").out()).doesNotContain(killed);
        d.assertNoLeftovers();

        Path out = tmp.resolve("out");
        assertThat(CliRunner.run("repo", "restore", repo.toString(), "--to", out.toString(), "--format", "raw")
                .exitCode()).isZero();
        assertThat(Files.mismatch(out.resolve("vda.raw"), refA)).as("the changes the killed run missed").isEqualTo(-1);
        assertThat(Files.mismatch(out.resolve("vdb.raw"), refB)).isEqualTo(-1);
        assertThat(CliRunner.run("repo", "verify", repo.toString()).exitCode()).isZero();
    }

    @Test
    void aSecondProcessOnTheSameRepositoryFailsAtOnce() throws Exception {
        try (RepoLock held = RepoLock.acquire(Repository.create(repo), "backup")) {
            CliRunner.Result second = d.process("repo", "backup", repo.toString());
            assertThat(second.exitCode()).isEqualTo(1);
            assertThat(second.err()).startsWith("error: repository '" + repo + "' is in use by another run (pid "
                    + ProcessHandle.current().pid() + ", backup): wait for it to end (lock file '"
                    + repo.resolve(".lock") + "')");
        }
        assertThat(d.cli("checkpoint-list", "--name").out()).as("the refused run touched nothing").isBlank();
        d.assertNoLeftovers();
        CliRunner.Result after = d.cli("repo", "backup", repo.toString());
        assertThat(after.exitCode()).as("the lock goes with its holder: %s", after).isZero();
    }

    private Process child(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(d.withConnection(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("child.out").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("VIRTBACKUP_"));
        Process p = pb.start();
        children.add(p);
        return p;
    }

    /**
     * The partial point of the running child once its backup job runs (it says so) and its qemu-nbd servers for vda
     * and vdb serve (each writes its pid file when its socket listens; an incremental starts them while the job
     * starts, and stops vda's only when vda is copied): the child is then writing. Sets {@link #sockets}.
     */
    private Path awaitWriting(Process child) throws Exception {
        Path dom = repo.resolve("vm1");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            assertThat(child.isAlive()).as("the child ended before it wrote: %s",
                    Files.readString(tmp.resolve("child.out"))).isTrue();
            Optional<Path> run = partial(dom).map(p -> p.resolve("run")).filter(Files::exists);
            String record = run.isPresent() ? Files.readString(run.get()) : "";
            if (record.endsWith("\n")) {
                sockets = Path.of(record.strip());
                if (Files.exists(sockets.resolve("vda.sock.pid")) && Files.exists(sockets.resolve("vdb.sock.pid"))
                        && Files.readString(tmp.resolve("child.out")).contains(RepoBackup.READING)) {
                    return run.get().getParent();
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the child did not start writing within 60 s");
    }

    private static Optional<Path> partial(Path dom) throws Exception {
        if (!Files.isDirectory(dom)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(dom)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".part")).findFirst();
        }
    }

    private static List<ProcessHandle> orphanServers(Path sockets) {
        return ProcessHandle.allProcesses().filter(h -> h.info().command().orElse("").endsWith("qemu-nbd")
                && h.info().arguments().map(a -> String.join(" ", a).contains(sockets.toString())).orElse(false))
                .toList();
    }

}
