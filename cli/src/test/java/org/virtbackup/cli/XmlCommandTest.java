// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XmlCommandTest {

    private static final String DOMAIN = """
            <domain type='kvm'>
              <name>vm1</name>
              <devices>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='qcow2'/>
                  <source file='/images/vm1-vda.qcow2'/>
                  <target dev='vda' bus='virtio'/>
                </disk>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='qcow2'/>
                  <source file='/images/vm1-vdb.qcow2'/>
                  <target dev='vdb' bus='virtio'/>
                </disk>
                <disk type='file' device='cdrom'>
                  <target dev='sda' bus='sata'/>
                  <readonly/>
                </disk>
              </devices>
            </domain>
            """;

    @TempDir
    Path dir;

    private String write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p.toString();
    }

    @Test
    void alignBackupPrintsLibvirtsAlignedForm() throws IOException {
        String backup = write("b.xml", "<domainbackup>\n  <disks>\n    <disk name='vda'/>\n  </disks>\n</domainbackup>\n");
        var r = CliRunner.run("xml", "align-backup", "--domain", write("d.xml", DOMAIN), "--suffix", "SUFFIX", backup);
        assertThat(r.err()).isEmpty();
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("""
                <domainbackup mode='push'>
                  <disks>
                    <disk name='vda' backup='yes' type='file' backupmode='full'>
                      <driver type='qcow2'/>
                      <target file='/images/vm1-vda.qcow2.SUFFIX'/>
                    </disk>
                    <disk name='vdb' backup='no'/>
                    <disk name='sda' backup='no'/>
                  </disks>
                </domainbackup>
                """);
    }

    @Test
    void alignBackupRejectsUnknownDiskWithExitOne() throws IOException {
        String backup = write("b.xml", "<domainbackup><disks><disk name='vdz'/></disks></domainbackup>");
        var r = CliRunner.run("xml", "align-backup", "--domain", write("d.xml", DOMAIN), backup);
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: no disk named 'vdz'\n");
    }

    @Test
    void validateAcceptsValidAndRejectsInvalidDocuments() throws IOException {
        var ok = CliRunner.run("xml", "validate", "--kind", "checkpoint",
                write("c.xml", "<domaincheckpoint><name>cp1</name></domaincheckpoint>"));
        assertThat(ok.exitCode()).isZero();

        var bad = CliRunner.run("xml", "validate", "--kind", "backup",
                write("b.xml", "<domainbackup><disks><disk name='vda' backup='maybe'/></disks></domainbackup>"));
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).startsWith("error: ").contains("backup");
    }

    @Test
    void formatReadsStandardInput() {
        var r = CliRunner.runWithStdin("<domainbackup mode=\"pull\"><server transport=\"unix\" socket=\"/run/b.sock\"/>"
                + "</domainbackup>", "xml", "format", "--kind", "backup", "-");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("""
                <domainbackup mode='pull'>
                  <server transport='unix' socket='/run/b.sock'/>
                </domainbackup>
                """);
    }

    /** What {@code checkpoint-dumpxml} prints: the form a REDEFINE takes back, with the domain at that time. */
    private static final String REDEFINE = """
            <domaincheckpoint>
              <name>nightly-12</name>
              <parent>
                <name>nightly-11</name>
              </parent>
              <creationTime>1764633600</creationTime>
              <disks>
                <disk name='vda' checkpoint='bitmap' bitmap='nightly-12'/>
                <disk name='vdb' checkpoint='bitmap' bitmap='nightly-12'/>
                <disk name='sda' checkpoint='no'/>
              </disks>
            """ + DOMAIN.indent(2) + "</domaincheckpoint>\n";

    @Test
    void formatKeepsARedefineDocumentAsItIs() throws IOException {
        String file = write("c.xml", REDEFINE);
        for (String[] args : List.of(new String[] {"xml", "format", "--kind", "checkpoint", file},
                new String[] {"xml", "format", "--kind", "checkpoint", "--redefine", file})) {
            var r = CliRunner.run(args);
            assertThat(r.err()).isEmpty();
            assertThat(r.exitCode()).isZero();
            assertThat(r.out()).isEqualTo(REDEFINE);
        }
        assertThat(CliRunner.run("xml", "validate", "--kind", "checkpoint", file).exitCode()).isZero();
    }

    @Test
    void aCreationIsFormattedAsLibvirtReadsItAndRedefineNeedsACreationTime() throws IOException {
        String creation = write("c.xml", "<domaincheckpoint><name>cp1</name><parent><name>cp0</name></parent>"
                + "<disks><disk name='vda'/></disks></domaincheckpoint>");
        var r = CliRunner.run("xml", "format", "--kind", "checkpoint", creation);
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("""
                <domaincheckpoint>
                  <name>cp1</name>
                  <disks>
                    <disk name='vda' checkpoint='bitmap'/>
                  </disks>
                </domaincheckpoint>
                """);
        var redefine = CliRunner.run("xml", "format", "--kind", "checkpoint", "--redefine", creation);
        assertThat(redefine.exitCode()).isEqualTo(1);
        assertThat(redefine.err()).isEqualTo("error: missing creationTime from existing checkpoint\n");
        var backup = CliRunner.run("xml", "format", "--kind", "backup", "--redefine", creation);
        assertThat(backup.exitCode()).isEqualTo(2);
        assertThat(backup.err()).contains("--redefine applies to --kind checkpoint only");
    }

    @Test
    void missingFileIsAnErrorNotAStackTrace() {
        var r = CliRunner.run("xml", "format", "--kind", "backup", dir.resolve("nope.xml").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: cannot read '").endsWith("': no such file\n");
    }

    @Test
    void xxeIsRefusedAndNothingIsRead() throws IOException {
        String secret = write("secret.txt", "TOPSECRET");
        String doc = "<?xml version='1.0'?>\n<!DOCTYPE d [<!ENTITY x SYSTEM 'file://" + secret + "'>]>\n"
                + "<domaincheckpoint><name>cp</name><description>&x;</description></domaincheckpoint>";
        var r = CliRunner.run("xml", "format", "--kind", "checkpoint", write("x.xml", doc));
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).doesNotContain("TOPSECRET");
        assertThat(r.err()).startsWith("error: ").doesNotContain("TOPSECRET");
    }
}
