// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.qemu.launch.DiskDataGenerator;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.testing.RequiresQemu;

/** The checkpoint verbs against a real QEMU with two qcow2 disks, each verb a fresh connection as from a shell. */
@RequiresQemu
@Timeout(120)
class CheckpointCommandsTest {

    @TempDir
    Path tmp;

    EmbeddedQemu qemu;

    @BeforeEach
    void start() {
        DiskDataGenerator.generate(tmp.resolve("vda.qcow2"), ImageFormat.QCOW2, 16 << 20, 1);
        DiskDataGenerator.generate(tmp.resolve("vdb.qcow2"), ImageFormat.QCOW2, 16 << 20, 2);
        qemu = EmbeddedQemu.builder().workDir(tmp.resolve("qemu")).disk(tmp.resolve("vda.qcow2"), "vda")
                .disk(tmp.resolve("vdb.qcow2"), "vdb").start();
    }

    @AfterEach
    void stop() {
        qemu.close();
    }

    private CliRunner.Result run(String... verb) {
        List<String> args = new ArrayList<>(List.of("--connect", qemu.qmpUri("vm1").toString(),
                "--state-dir", tmp.resolve("state").toString()));
        args.addAll(List.of(verb));
        return CliRunner.run(args.toArray(String[]::new));
    }

    private String ok(String... verb) {
        CliRunner.Result r = run(verb);
        assertThat(r.exitCode()).as("%s: %s", List.of(verb), r.err()).isZero();
        return r.out();
    }

    @Test
    void createListTreeDumpParentDelete() throws Exception {
        Path xml = tmp.resolve("c1.xml");
        Files.writeString(xml, "<domaincheckpoint><name>c1</name><description>first</description></domaincheckpoint>");
        assertThat(ok("checkpoint-create", xml.toString())).isEqualTo("Domain checkpoint c1 created from '" + xml + "'\n");
        assertThat(ok("checkpoint-create-as", "c2", "--description", "second")).isEqualTo("Domain checkpoint c2 created\n");
        assertThat(ok("checkpoint-create-as", "c3", "--diskspec", "vda,checkpoint=bitmap", "--diskspec", "vdb,checkpoint=no"))
                .isEqualTo("Domain checkpoint c3 created\n");
        assertThat(ok("checkpoint-create-as", "c4", "--print-xml", "--diskspec", "vda"))
                .isEqualTo("<domaincheckpoint>\n  <name>c4</name>\n  <disks>\n    <disk name='vda'/>\n  </disks>\n"
                        + "</domaincheckpoint>\n");

        String list = ok("checkpoint-list");
        Matcher m = Pattern.compile("^ Name   Creation Time\n-{35}\n c1     (.{25})\n c2     .{25}\n c3     .{25}\n$").matcher(list);
        assertThat(m.matches()).as(list).isTrue();
        // virsh's %Y-%m-%d %H:%M:%S %z, local time
        assertThat(m.group(1)).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}");
        assertThat(ok("checkpoint-list", "--name")).isEqualTo("c1\nc2\nc3\n");
        assertThat(ok("checkpoint-list", "--roots", "--name")).isEqualTo("c1\n");
        assertThat(ok("checkpoint-list", "--leaves", "--name")).isEqualTo("c3\n");
        assertThat(ok("checkpoint-list", "--no-leaves", "--name")).isEqualTo("c1\nc2\n");
        assertThat(ok("checkpoint-list", "--topological", "--name")).isEqualTo("c1\nc2\nc3\n");
        assertThat(ok("checkpoint-list", "--parent")).contains(" Name   Creation Time               Parent\n")
                .containsPattern(" c3     .{25}   c2\n");
        assertThat(ok("checkpoint-list", "--tree")).isEqualTo("c1\n  |\n  +- c2\n      |\n      +- c3\n        \n");
        assertThat(ok("checkpoint-parent", "c3")).isEqualTo("c2\n");
        CliRunner.Result root = run("checkpoint-parent", "c1");
        assertThat(root.exitCode()).isEqualTo(1);
        assertThat(root.err()).isEqualTo("error: checkpoint 'c1' does not have a parent\n");

        assertThat(ok("checkpoint-dumpxml", "c3", "--no-domain")).contains("<name>c3</name>")
                .contains("<disk name='vda' checkpoint='bitmap' bitmap='c3'/>")
                .contains("<disk name='vdb' checkpoint='no'/>").doesNotContain("<domain type");
        assertThat(ok("checkpoint-dumpxml", "c1", "--security-info")).contains("<description>first</description>")
                .contains("<domain type='kvm'>");
        qemu.guestWrite("vdb", 0, 64 << 10, 0x5a);
        assertThat(ok("checkpoint-dumpxml", "c2", "--size", "--no-domain"))
                .contains("<disk name='vda' checkpoint='bitmap' bitmap='c2' size='0'/>")
                .contains("<disk name='vdb' checkpoint='bitmap' bitmap='c2' size='65536'/>");

        CliRunner.Result dup = run("checkpoint-create-as", "c2");
        assertThat(dup.exitCode()).isEqualTo(1);
        assertThat(dup.err()).isEqualTo("error: domain moment c2 already exists\n");

        assertThat(ok("checkpoint-delete", "c2")).isEqualTo("Domain checkpoint c2 deleted\n");
        assertThat(ok("checkpoint-parent", "c3")).isEqualTo("c1\n");
        assertThat(ok("checkpoint-delete", "c1", "--children-only")).isEqualTo("Domain checkpoint c1 children deleted\n");
        assertThat(ok("checkpoint-delete", "c1", "--metadata")).isEqualTo("Domain checkpoint c1 deleted\n");
        assertThat(ok("checkpoint-list", "--name")).isEmpty();
        assertThat(ok("checkpoint-list")).isEqualTo(" Name   Creation Time\n-----------------------\n");
    }

    @Test
    void validateReportsAndTheRepairVerbsFixWhatItNames() throws Exception {
        ok("checkpoint-create-as", "c1");
        ok("checkpoint-create-as", "c2");
        assertThat(ok("checkpoint-validate")).isEqualTo(" Checkpoint   Disk   Bitmap   State\n"
                + "-------------------------------------\n"
                + " c1           vda    c1       ok\n c1           vdb    c1       ok\n"
                + " c2           vda    c2       ok\n c2           vdb    c2       ok\n");
        qemu.control(new QmpCommand("block-dirty-bitmap-remove",
                JsonNodeFactory.instance.objectNode().put("node", qemu.disks().get(0).formatNode()).put("name", "c2")));
        Files.delete(tmp.resolve("state/vm1/checkpoints/c1.xml"));

        CliRunner.Result report = run("checkpoint-validate");
        assertThat(report.exitCode()).as("a report, not a failure").isZero();
        assertThat(report.out()).contains(" c2           vda    c2       missing\n").contains(" c2           vdb    c2       ok\n")
                .contains(" c1              vda    vda-format   yes\n")
                .contains("checkpoint 'c2': delete the checkpoint's metadata: 'checkpoint-delete c2 --metadata'")
                .contains("bitmap 'c1': remove it with 'checkpoint-remove-bitmap c1' or adopt it with "
                        + "'checkpoint-adopt-bitmap c1'");
        assertThat(run("checkpoint-validate", "--check").exitCode()).isEqualTo(1);
        JsonNode json = new ObjectMapper().readTree(ok("checkpoint-validate", "--json"));
        assertThat(json.path("ok").asBoolean(true)).isFalse();
        assertThat(json.path("disks").get(0).path("state").asText()).isEqualTo("missing");
        assertThat(json.path("orphans").size()).isEqualTo(2);

        assertThat(ok("checkpoint-adopt-bitmap", "c1")).isEqualTo("Domain checkpoint c1 adopted\n");
        assertThat(ok("checkpoint-delete", "c2", "--metadata")).isEqualTo("Domain checkpoint c2 deleted\n");
        assertThat(ok("checkpoint-remove-bitmap", "c2")).isEqualTo("Bitmap c2 removed\n");
        assertThat(ok("checkpoint-validate")).isEqualTo(" Checkpoint   Disk   Bitmap   State\n"
                + "-------------------------------------\n"
                + " c1           vda    c1       ok\n c1           vdb    c1       ok\n");
        assertThat(run("checkpoint-validate", "--check").exitCode()).isZero();
    }

    /** A stopped VM (QEMU quit): the metadata verbs work from the state directory, as virsh's do. */
    @Test
    void metadataVerbsWorkOnAStoppedDomain() throws Exception {
        ok("checkpoint-create-as", "c1");
        ok("checkpoint-create-as", "c2");
        String c2 = ok("checkpoint-dumpxml", "c2", "--security-info");
        String tree = ok("checkpoint-list", "--tree");
        qemu.close();

        assertThat(ok("checkpoint-list", "--name")).isEqualTo("c1\nc2\n");
        assertThat(ok("checkpoint-list", "--tree")).isEqualTo(tree).startsWith("c1\n  |\n  +- c2\n");
        assertThat(ok("checkpoint-dumpxml", "c2", "--security-info")).isEqualTo(c2);
        assertThat(ok("checkpoint-parent", "c2")).isEqualTo("c1\n");
        Path redefine = tmp.resolve("c3.xml");
        Files.writeString(redefine, "<domaincheckpoint><name>c3</name><parent><name>c2</name></parent>"
                + "<creationTime>1700000000</creationTime></domaincheckpoint>");
        assertThat(ok("checkpoint-create", redefine.toString(), "--redefine"))
                .isEqualTo("Domain checkpoint c3 defined from '" + redefine + "'\n");
        assertThat(ok("checkpoint-delete", "c3", "--metadata")).isEqualTo("Domain checkpoint c3 deleted\n");
        assertThat(ok("checkpoint-list", "--leaves", "--name")).isEqualTo("c2\n");

        // the domain named by --domain instead of the URI
        String socketOnly = "qmp+unix://" + qemu.qmpSocket();
        assertThat(CliRunner.run("--connect", socketOnly, "--state-dir", tmp.resolve("state").toString(), "--domain", "vm1",
                "checkpoint-list", "--name").out()).isEqualTo("c1\nc2\n");

        CliRunner.Result size = run("checkpoint-dumpxml", "c2", "--size");
        assertThat(size.exitCode()).isEqualTo(1);
        assertThat(size.err()).isEqualTo("error: domain is not running\n");
        CliRunner.Result delete = run("checkpoint-delete", "c2");
        assertThat(delete.exitCode()).isEqualTo(1);
        assertThat(delete.err()).isEqualTo("error: cannot delete checkpoint for inactive domain\n");
        CliRunner.Result create = run("checkpoint-create-as", "c4");
        assertThat(create.err()).isEqualTo("error: cannot create checkpoint for inactive domain\n");
        assertThat(ok("checkpoint-list", "--name")).isEqualTo("c1\nc2\n");
    }

    @Test
    void creationTimeIsFormattedLikeVirsh() {
        assertThat(CheckpointFormat.creationTime(1525889631, ZoneId.of("UTC"))).isEqualTo("2018-05-09 18:13:51 +0000");
        assertThat(CheckpointFormat.creationTime(1525889631, ZoneId.of("Europe/Berlin"))).isEqualTo("2018-05-09 20:13:51 +0200");
    }
}
