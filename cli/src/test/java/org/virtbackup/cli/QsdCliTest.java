// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.qemu.launch.DiskDataGenerator;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.testing.RequiresQemu;
import org.virtbackup.qemu.testing.StorageDaemons;

/**
 * The verbs with {@code --connect qsd:///PATH/domain.xml} on a stopped VM's images (two qcow2 disks), each
 * backup compared with the disks: full and incremental offline with new checkpoints, begin and end in
 * processes of their own, the checkpoint verbs; then the VM started and an online incremental from the
 * offline checkpoint, while {@code qsd:} refuses the running VM.
 */
@RequiresQemu
@Timeout(240)
class QsdCliTest {

    private static final long SIZE = 32L << 20;

    @TempDir
    Path tmp;

    Path vda;
    Path vdb;
    Path state;
    String qsd;

    @AfterEach
    void noDaemonLeft() throws IOException {
        assertThat(StorageDaemons.kill(tmp)).as("qemu-storage-daemon left running").isEmpty();
    }

    private void stoppedVm() throws IOException {
        vda = tmp.resolve("vda.qcow2");
        vdb = tmp.resolve("vdb.qcow2");
        state = tmp.resolve("state");
        DiskDataGenerator.generate(vda, ImageFormat.QCOW2, SIZE, 21);
        DiskDataGenerator.generate(vdb, ImageFormat.QCOW2, SIZE, 22);
        StringBuilder xml = new StringBuilder("<domain type='kvm'><name>vm1</name><devices>");
        for (Path disk : List.of(vda, vdb)) {
            String dev = disk.getFileName().toString().substring(0, 3);
            xml.append("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='")
                    .append(disk).append("'/><target dev='").append(dev).append("' bus='virtio'/></disk>");
        }
        Path domainXml = Files.writeString(tmp.resolve("vm1.xml"), xml.append("</devices></domain>"));
        qsd = "qsd://" + domainXml;
    }

    private List<String> args(String uri, String... verb) {
        List<String> all = new ArrayList<>(List.of("--connect", uri, "--state-dir", state.toString()));
        all.addAll(List.of(verb));
        return all;
    }

    private CliRunner.Result offline(String... verb) {
        return ok(CliRunner.run(args(qsd, verb).toArray(String[]::new)));
    }

    private CliRunner.Result offlineProcess(String... verb) throws Exception {
        return ok(CliDomain.runProcess(args(qsd, verb)));
    }

    private static CliRunner.Result ok(CliRunner.Result r) {
        assertThat(r.exitCode()).as("%s", r).isZero();
        return r;
    }

    private String pushXml(String name, String incremental) throws IOException {
        return Files.writeString(tmp.resolve(name + ".xml"), "<domainbackup>" + (incremental == null ? ""
                : "<incremental>" + incremental + "</incremental>") + "<disks><disk name='vda' type='file'><target file='"
                + target(name, "vda") + "'/></disk><disk name='vdb' type='file'><target file='" + target(name, "vdb")
                + "'/></disk></disks></domainbackup>").toString();
    }

    private String checkpointXml(String name) throws IOException {
        return Files.writeString(tmp.resolve(name + ".cp.xml"), "<domaincheckpoint><name>" + name
                + "</name></domaincheckpoint>").toString();
    }

    private Path target(String name, String disk) {
        return tmp.resolve(name + "." + disk + ".qcow2");
    }

    private boolean equalsDisks(String name, boolean running) {
        return QemuImg.identical(vda, target(name, "vda"), running) && QemuImg.identical(vdb, target(name, "vdb"),
                running);
    }

    @Test
    void offlineBackupsAndCheckpointsThroughTheVerbsThenOnlineFromTheOfflineCheckpoint() throws Exception {
        stoppedVm();
        // begin in one process, end in another: the daemon copies in between, on its own
        assertThat(offlineProcess("backup-begin", pushXml("full", null), "--checkpointxml", checkpointXml("cp1"))
                .out()).startsWith("Backup started: job backup-");
        assertThat(offlineProcess("backup-end", "--wait").out()).startsWith("Job type:         Completed");
        assertThat(equalsDisks("full", false)).isTrue();
        assertThat(daemons()).as("the end of the job ended the daemon").isEmpty();

        qemuIo(vdb, "write -P 0x5a 1048576 65536");
        offline("backup-begin", pushXml("inc1", "cp1"), "--checkpointxml", checkpointXml("cp2"));
        assertThat(offline("backup-end", "--wait").out()).contains("File processed:   ");
        assertThat(QemuImg.info(target("inc1", "vdb"), false).backingFile()).contains(target("full", "vdb").toString());
        assertThat(equalsDisks("inc1", false)).as("full <- inc1 equals the disks").isTrue();
        assertThat(QemuImg.identical(target("full", "vdb"), target("inc1", "vdb"))).isFalse();

        assertThat(offline("checkpoint-list", "--parent").out()).containsPattern("(?m)^ cp1 .*$")
                .containsPattern("(?m)^ cp2 .* cp1$");
        assertThat(offline("checkpoint-dumpxml", "cp2", "--no-domain").out()).contains("<name>cp1</name>")
                .contains("<disk name='vdb' checkpoint='bitmap' bitmap='cp2'/>");
        assertThat(offline("checkpoint-create-as", "cp3").out()).isEqualTo("Domain checkpoint cp3 created\n");
        assertThat(offline("checkpoint-validate").out()).containsPattern("(?m)^ cp3 +vdb +cp3 +ok$")
                .doesNotContain("missing").doesNotContain("broken");
        assertThat(offline("checkpoint-delete", "cp3").out()).isEqualTo("Domain checkpoint cp3 deleted\n");
        assertThat(Files.exists(state.resolve("vm1/storage-daemon.json"))).isFalse();

        // the VM runs: qsd: refuses it; the online incremental starts from the offline cp2
        try (EmbeddedQemu vm = EmbeddedQemu.builder().workDir(tmp.resolve("qemu")).disk(vda, "vda").disk(vdb, "vdb")
                .start()) {
            CliRunner.Result refused = CliRunner.run(args(qsd, "backup-begin", pushXml("no", "cp2"))
                    .toArray(String[]::new));
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.err()).startsWith("error: domain 'vm1' is running");
            assertThat(target("no", "vda")).doesNotExist();

            vm.guestWrite("vda", 5 << 20, 64 << 10, 0x6b);
            String online = vm.qmpUri("vm1").toString();
            ok(CliRunner.run(args(online, "backup-begin", pushXml("inc2", "cp2"), "--checkpointxml",
                    checkpointXml("cp4")).toArray(String[]::new)));
            ok(CliRunner.run(args(online, "backup-end", "--wait").toArray(String[]::new)));
            vm.guestFlush("vda");
            vm.guestFlush("vdb");
            assertThat(equalsDisks("inc2", true)).as("full <- inc1 <- inc2 equals the running disks").isTrue();
            assertThat(QemuImg.info(target("inc2", "vda"), true).backingFile())
                    .contains(target("inc1", "vda").toString());
        }
        assertThat(offline("checkpoint-list", "--topological").out()).containsSubsequence(" cp1 ", " cp2 ", " cp4 ");
    }

    private static void qemuIo(Path image, String command) throws Exception {
        Process p = new ProcessBuilder("qemu-io", "-f", "qcow2", "-c", command, image.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("qemu-io: %s", out).isTrue();
    }

    private List<Long> daemons() throws IOException {
        return StorageDaemons.running(tmp);
    }
}
