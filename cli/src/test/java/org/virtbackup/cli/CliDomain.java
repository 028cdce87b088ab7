// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.virtbackup.qemu.launch.DiskDataGenerator;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.testing.QemuLeftovers;

/**
 * A real QEMU with two qcow2 disks of varied data (vda, vdb) and a state directory, driven through the
 * {@code virtbackup} command: in this JVM ({@link #cli}) or in a new one ({@link #process}), each run with
 * {@code --connect <uri> --state-dir <dir>} before the verb.
 */
final class CliDomain implements AutoCloseable {

    static final long SIZE = 32L << 20;
    /** Slow enough that a 32 MiB disk copies for half a minute: time to act on the running job. */
    static final String SLOW = "1M";

    final Path dir;
    final Path vda;
    final Path vdb;
    final Path state;
    final EmbeddedQemu qemu;
    final String uri;

    CliDomain(Path dir) {
        this.dir = dir;
        this.vda = dir.resolve("vda.qcow2");
        this.vdb = dir.resolve("vdb.qcow2");
        this.state = dir.resolve("state");
        DiskDataGenerator.generate(vda, ImageFormat.QCOW2, SIZE, 11);
        DiskDataGenerator.generate(vdb, ImageFormat.QCOW2, SIZE, 12);
        this.qemu = EmbeddedQemu.builder().workDir(dir.resolve("qemu")).disk(vda, "vda").disk(vdb, "vdb").start();
        this.uri = qemu.qmpUri("vm1").toString();
    }

    /** The global options that point a verb at this domain. */
    List<String> withConnection(String... args) {
        List<String> all = new ArrayList<>(List.of("--connect", uri, "--state-dir", state.toString()));
        all.addAll(List.of(args));
        return all;
    }

    /** Runs the command in this JVM, connected to this domain. */
    CliRunner.Result cli(String... args) {
        return CliRunner.run(withConnection(args).toArray(String[]::new));
    }

    /** Runs the command in a new JVM, connected to this domain. */
    CliRunner.Result process(String... args) throws Exception {
        return runProcess(withConnection(args));
    }

    /**
     * Runs {@code java -cp <this test's class path> org.virtbackup.cli.Main ARGS} with the virtbackup
     * environment variables removed, and returns its exit code and output.
     */
    static CliRunner.Result runProcess(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        Path out = Files.createTempFile("virtbackup-cli", ".out");
        Path err = Files.createTempFile("virtbackup-cli", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().keySet().removeIf(k -> k.startsWith("VIRTBACKUP_"));
            Process p = pb.start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("virtbackup " + args + " did not finish within 90 s; stderr: "
                        + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new CliRunner.Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The raw content of {@code disk} now, after a guest flush, as {@code <disk>.ref.raw} in the work directory. */
    Path reference(String disk) throws IOException {
        qemu.guestFlush(disk);
        Path out = dir.resolve(disk + ".ref.raw");
        Files.deleteIfExists(out);
        QemuImg.snapshotToRaw(dir.resolve(disk + ".qcow2"), ImageFormat.QCOW2, out);
        return out;
    }

    /** A file in the work directory holding {@code content}, for a verb's input. */
    String write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content).toString();
    }

    /** A push backup of both disks to {@code <name>.vda.qcow2} and {@code <name>.vdb.qcow2} in the work directory. */
    String pushXml(String name, String incremental) throws IOException {
        return write(name + ".xml", "<domainbackup>" + (incremental == null ? "" : "<incremental>" + incremental
                + "</incremental>") + "<disks><disk name='vda' type='file'><target file='" + target(name, "vda")
                + "'/></disk><disk name='vdb' type='file'><target file='" + target(name, "vdb")
                + "'/></disk></disks></domainbackup>");
    }

    Path target(String name, String disk) {
        return dir.resolve(name + "." + disk + ".qcow2");
    }

    String checkpointXml(String name) throws IOException {
        return write(name + ".cp.xml", "<domaincheckpoint><name>" + name + "</name></domaincheckpoint>");
    }

    /** Whether both targets of backup {@code name} hold the disks' current data, by {@code qemu-img compare}. */
    boolean targetsEqualSources(String name) {
        qemu.guestFlush("vda");
        qemu.guestFlush("vdb");
        return QemuImg.identical(vda, target(name, "vda"), true) && QemuImg.identical(vdb, target(name, "vdb"), true);
    }

    /** Sets the copy speed of this domain's running backup jobs, on QEMU's private monitor (0: unlimited). */
    void setSpeed(long bytesPerSecond) {
        for (String disk : List.of("vda", "vdb")) {
            qemu.control(new QmpCommand("block-job-set-speed", JsonNodeFactory.instance.objectNode()
                    .put("device", "vb-backup-" + disk).put("speed", bytesPerSecond)));
        }
    }

    /** Every dirty bitmap in QEMU, persistent (checkpoints) or not, as {@code node/name}. */
    List<String> bitmaps() {
        return QemuLeftovers.bitmaps(qemu);
    }

    /** Nothing virtbackup made is left in QEMU (nodes, jobs, exports, temporary bitmaps), and no job on record. */
    void assertNoLeftovers() {
        QemuLeftovers.Report r = QemuLeftovers.inspect(qemu);
        assertThat(r.isClean()).as("leftovers in QEMU: %s", r).isTrue();
        assertThat(state.resolve("vm1").resolve("backup.json")).doesNotExist();
    }

    /** Every file and directory under the work directory except QEMU's own, relative, sorted. */
    Set<String> files() throws IOException {
        Path qemuDir = dir.resolve("qemu");
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.startsWith(qemuDir) && !p.equals(dir)).map(p -> dir.relativize(p).toString())
                    .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }

    @Override
    public void close() {
        qemu.close();
    }
}
