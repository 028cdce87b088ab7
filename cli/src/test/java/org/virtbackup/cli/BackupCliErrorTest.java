// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.qemu.testing.RequiresQemu;

/** Every error path of the backup verbs on a real QEMU: exit 1 with libvirt's message, or 2 for usage. */
@RequiresQemu
@Timeout(180)
class BackupCliErrorTest {

    @TempDir
    Path tmp;

    CliDomain d;

    @BeforeEach
    void start() {
        d = new CliDomain(tmp);
    }

    @AfterEach
    void stop() {
        d.close();
    }

    private static void assertError(CliRunner.Result r, String message) {
        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("error: " + message + "\n");
    }

    private static void assertUsageError(CliRunner.Result r, String verb, String message) {
        assertThat(r.exitCode()).as("%s", r).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("error: " + message)
                .endsWith("Try '" + ("virtbackup " + verb).trim() + " --help' for more information.\n");
    }

    @Test
    void connectionErrors() throws Exception {
        CliRunner.Result none = CliDomain.runProcess(List.of("domjobinfo", "--state-dir", d.state.toString()));
        assertError(none, "no connection URI: give --connect qmp+unix:///path/to/qmp.sock (or set "
                + "VIRTBACKUP_DEFAULT_URI)");
        assertError(CliRunner.run("--connect", "qmp+unix://host/x.sock", "domjobinfo"), "invalid connection URI "
                + "'qmp+unix://host/x.sock': a host is not supported; the socket is local: qmp+unix:///path/to/qmp.sock");
        assertError(CliRunner.run("--connect", "qmp+unix:///x.sock?dom=vm1", "domjobinfo"),
                "invalid connection URI 'qmp+unix:///x.sock?dom=vm1': unknown parameter 'dom' (known: domain, statedir, domainxml)");
        assertError(CliRunner.run("--connect", "not a uri", "domjobinfo"),
                "invalid connection URI 'not a uri': Illegal character in path");
        CliRunner.Result noSocket = CliRunner.run("--connect", "qmp+unix://" + tmp.resolve("nosuch.sock"), "--state-dir",
                d.state.toString(), "domjobinfo");
        assertThat(noSocket.exitCode()).isEqualTo(1);
        assertThat(noSocket.err()).startsWith("error: cannot connect to QEMU at '" + tmp.resolve("nosuch.sock") + "': ");
        assertError(d.cli("--domain", "vm2", "domjobinfo"),
                "domain not found: this connection serves 'vm1', not 'vm2'");
    }

    @Test
    void errorsWithoutAJob() throws Exception {
        assertError(d.cli("backup-end"), "no domain backup job present");
        assertError(d.cli("backup-end", "--wait"), "no domain backup job present");
        assertError(d.cli("backup-dumpxml"), "no domain backup job present");
        assertError(d.cli("domjobabort"), "no job is active on the domain");
        assertError(d.cli("backup-begin", d.write("vdz.xml", "<domainbackup><disks><disk name='vdz'/></disks>"
                + "</domainbackup>")), "no disk named 'vdz'");
        assertError(d.cli("backup-begin", d.pushXml("inc", "nosuch")),
                "Checkpoint 'nosuch' for incremental backup of disk 'vda' not found");
        assertThat(d.cli("backup-begin", tmp.resolve("nope.xml").toString()).err())
                .isEqualTo("error: cannot read '" + tmp.resolve("nope.xml") + "': no such file\n");
        assertThat(d.files()).filteredOn(f -> !f.startsWith("state"))
                .containsExactlyInAnyOrder("vda.qcow2", "vdb.qcow2", "vdz.xml", "inc.xml");
        d.assertNoLeftovers();
    }

    @Test
    void aSecondBackupIsRefusedWhileOneRuns() throws Exception {
        CliRunner.Result first = d.cli("backup-begin", "--backup-speed", CliDomain.SLOW, d.pushXml("one", null));
        assertThat(first.exitCode()).as("%s", first).isZero();
        CliRunner.Result second = d.process("backup-begin", d.pushXml("two", null));
        assertThat(second.exitCode()).as("%s", second).isEqualTo(1);
        assertThat(second.err()).startsWith("error: another backup job is already running (backup-");
        assertThat(d.target("two", "vda")).doesNotExist();
        CliRunner.Result dryRun = d.cli("backup-begin", "--dry-run", d.pushXml("three", null));
        assertThat(dryRun.err()).startsWith("error: another backup job is already running (backup-");
        assertThat(d.cli("backup-end").out()).startsWith("Job type:         Cancelled");
        d.assertNoLeftovers();
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        String xml = d.pushXml("full", null);
        assertUsageError(d.cli("backup-begin", "--print-qmp", xml), "backup-begin", "--print-qmp requires --dry-run");
        assertUsageError(d.cli("backup-begin", "--checkpointxml", "-", "-"), "backup-begin",
                "only one of BACKUP.xml and --checkpointxml can be read from standard input");
        assertUsageError(d.cli("backup-begin", xml, "extra.xml"), "backup-begin", "Unmatched argument");
        assertUsageError(d.cli("backup-end", "--now"), "backup-end", "Unknown option: '--now'");
        assertUsageError(d.cli("domjobinfo", "--completed=maybe"), "domjobinfo", "Invalid value for option");
        assertUsageError(d.cli("backup-begin", "--checkpointxml"), "backup-begin",
                "Missing required parameter for option '--checkpointxml'");
        assertUsageError(d.cli("backup-begin", "--backup-speed", "fast", xml), "backup-begin",
                "Invalid value for option '--backup-speed': 'fast' is not a speed in bytes per second");
        assertUsageError(d.cli("--backup-speed", "1M", "domjobinfo"), "", "Unknown options: '--backup-speed', '1M'");
        assertUsageError(d.cli("backup-begin", "--backup-speed", "-1", xml), "backup-begin",
                "Invalid value for option '--backup-speed': '-1' is not a speed");
        assertThat(d.target("full", "vda")).doesNotExist();
        d.assertNoLeftovers();
    }

    @Test
    void backupEndWaitExitsOneWhenTheJobFails() throws Exception {
        Path small = Files.createDirectory(tmp.resolve("small"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", small.toString())
                .inheritIO().start();
        if (mount.waitFor() != 0) {
            fail("cannot mount a 4 MiB tmpfs for the no-space test (needs root)");
        }
        try {
            String xml = d.write("b.xml", "<domainbackup><disks><disk name='vda' type='file'><target file='"
                    + small.resolve("vda.qcow2") + "'/></disk><disk name='vdb' backup='no'/></disks></domainbackup>");
            CliRunner.Result begin = d.cli("backup-begin", xml);
            assertThat(begin.exitCode()).as("%s", begin).isZero();
            CliRunner.Result end = d.cli("backup-end", "--wait");
            assertThat(end.exitCode()).as("%s", end).isEqualTo(1);
            assertThat(end.out()).startsWith("Job type:         Failed      \n")
                    .containsPattern("(?m)^Error message:    .*No space left on device");
            assertThat(end.err()).containsPattern("(?m)^backup: failed \\d+% \\(")
                    .containsPattern("(?m)^error: the backup job failed: .*No space left on device");
            assertThat(small.resolve("vda.qcow2")).as("a failed backup's target is deleted").doesNotExist();
            CliRunner.Result again = d.cli("backup-end");
            assertThat(again.exitCode()).as("ending again reports the failure again").isEqualTo(1);
            assertThat(again.out()).isEqualTo(end.out());
            d.assertNoLeftovers();
        } finally {
            new ProcessBuilder("umount", small.toString()).inheritIO().start().waitFor();
        }
    }
}
