// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.testing.RequiresQemu;

/** The backup verbs on a real QEMU: in this JVM and across processes, as a script would use them. */
@RequiresQemu
@Timeout(180)
class BackupCliTest {

    private static final Pattern STARTED = Pattern.compile("Backup started: job (backup-\\d+)\n");
    private static final ObjectMapper JSON = new ObjectMapper();

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

    private static String jobId(CliRunner.Result begin) {
        assertThat(begin.exitCode()).as("backup-begin: %s", begin).isZero();
        Matcher m = STARTED.matcher(begin.out());
        assertThat(m.matches()).as("backup-begin output: %s", begin.out()).isTrue();
        return m.group(1);
    }

    /** The aligned XML of {@link CliDomain#pushXml} "full", as libvirt shows it: every default, and the index. */
    private String alignedFull() {
        return "<domainbackup mode='push'>\n  <disks>\n"
                + "    <disk name='vda' backup='yes' type='file' backupmode='full' index='1'>\n"
                + "      <driver type='qcow2'/>\n      <target file='" + d.target("full", "vda") + "'/>\n    </disk>\n"
                + "    <disk name='vdb' backup='yes' type='file' backupmode='full' index='2'>\n"
                + "      <driver type='qcow2'/>\n      <target file='" + d.target("full", "vdb") + "'/>\n    </disk>\n"
                + "  </disks>\n</domainbackup>\n";
    }

    @Test
    void eachVerbInItsOwnProcess() throws Exception {
        String id = jobId(d.process("backup-begin", "--backup-speed", CliDomain.SLOW, d.pushXml("full", null)));

        CliRunner.Result info = d.process("domjobinfo");
        assertThat(info.exitCode()).as("%s", info).isZero();
        assertThat(info.out()).startsWith("Job type:         Unbounded   \nOperation:        Backup      \n")
                .containsPattern("(?m)^Time elapsed:     \\d+ +ms$")
                .containsPattern("(?m)^File processed:   \\d+\\.\\d{3} (B|KiB|MiB)$")
                .contains("File total:       64.000 MiB\n");

        JsonNode json = JSON.readTree(d.process("domjobinfo", "--json").out());
        assertThat(json.get("type").asText()).isEqualTo("unbounded");
        assertThat(json.get("disk_total").asLong()).isEqualTo(2 * CliDomain.SIZE);
        assertThat(json.get("disk_processed").asLong() + json.get("disk_remaining").asLong()).isEqualTo(2 * CliDomain.SIZE);

        CliRunner.Result xml = d.process("backup-dumpxml");
        assertThat(xml.exitCode()).as("%s", xml).isZero();
        assertThat(xml.out()).isEqualTo(alignedFull());

        d.setSpeed(0); // let it finish now; backup-end --wait waits for it in another process
        CliRunner.Result end = d.process("backup-end", "--wait");
        assertThat(end.exitCode()).as("%s", end).isZero();
        assertThat(end.out()).startsWith("Job type:         Completed   \n")
                .contains("File processed:   64.000 MiB\nFile remaining:   0.000 B\nFile total:       64.000 MiB\n");
        assertThat(end.err()).as("the last progress line is the final state")
                .endsWith("backup: completed 100% (64.000 MiB of 64.000 MiB)\n");
        assertThat(d.targetsEqualSources("full")).isTrue();

        CliRunner.Result completed = d.process("domjobinfo", "--completed");
        assertThat(completed.exitCode()).isZero();
        assertThat(completed.out()).as("the statistics backup-end printed").isEqualTo(end.out());
        assertThat(d.process("domjobinfo").out()).isEqualTo("Job type:         None        \n");
        assertThat(d.process("--json", "domjobinfo", "--completed").out()).contains("\"type\": \"completed\"");
        assertThat(d.files()).as("job %s left its targets and nothing else", id).filteredOn(f -> !f.startsWith("state"))
                .containsExactlyInAnyOrder("vda.qcow2", "vdb.qcow2", "full.xml", "full.vda.qcow2", "full.vdb.qcow2");
        d.assertNoLeftovers();
    }

    @Test
    void dryRunPrintsTheAlignedXmlAndThePlanAndChangesNothing() throws Exception {
        String backup = d.pushXml("full", null);
        String checkpoint = d.checkpointXml("cp1");
        assertThat(d.cli("domjobinfo").exitCode()).isZero(); // the state directory exists from here on
        Set<String> before = d.files();

        CliRunner.Result xmlOnly = d.cli("backup-begin", "--dry-run", "--checkpointxml", checkpoint, backup);
        assertThat(xmlOnly.exitCode()).as("%s", xmlOnly).isZero();
        assertThat(xmlOnly.out()).as("what backup-dumpxml would show").isEqualTo(alignedFull());

        CliRunner.Result withQmp = d.cli("backup-begin", "--dry-run", "--print-qmp", "--checkpointxml", checkpoint,
                backup);
        assertThat(withQmp.exitCode()).as("%s", withQmp).isZero();
        assertThat(withQmp.out()).startsWith(xmlOnly.out());
        List<String> qmp = withQmp.out().substring(xmlOnly.out().length()).lines().toList();
        assertThat(qmp).isNotEmpty();
        for (String line : qmp) {
            assertThat(JSON.readTree(line).path("execute").asText()).as(line).isNotEmpty();
        }
        assertThat(qmp).anyMatch(l -> l.contains("\"blockdev-create\"")).anyMatch(l -> l.contains("\"transaction\""))
                .anyMatch(l -> l.contains("\"block-dirty-bitmap-add\"") && l.contains("cp1"));

        // The only new file may be the cache of what this QEMU can do (state/<domain>/qemu-capabilities.json):
        // knowledge about QEMU, not a change to the VM or to backup state.
        assertThat(d.files()).as("no file created or removed").filteredOn(f -> !f.endsWith("qemu-capabilities.json"))
                .containsExactlyElementsOf(before);
        assertThat(d.bitmaps()).as("no checkpoint bitmap").isEmpty();
        d.assertNoLeftovers();
        assertThat(d.cli("domjobinfo").out()).isEqualTo("Job type:         None        \n");
        assertThat(d.cli("backup-end").err()).as("no checkpoint, no job").isEqualTo("error: no domain backup job present\n");
    }

    @Test
    void fullWithCheckpointThenIncremental() throws Exception {
        jobId(d.cli("backup-begin", "--checkpointxml", d.checkpointXml("cp1"), d.pushXml("full", null)));
        CliRunner.Result full = d.cli("backup-end", "--wait");
        assertThat(full.exitCode()).as("%s", full).isZero();
        assertThat(full.out()).startsWith("Job type:         Completed");
        assertThat(d.targetsEqualSources("full")).isTrue();
        assertThat(d.bitmaps()).containsExactlyInAnyOrder("vda-format/cp1", "vdb-format/cp1");

        d.qemu.guestWrite("vda", 3 << 20, 256 << 10, 0x5a);
        d.qemu.guestWriteZeroes("vdb", 9 << 20, 128 << 10);
        jobId(d.cli("backup-begin", "--checkpointxml", d.checkpointXml("cp2"), d.pushXml("inc", "cp1")));
        CliRunner.Result inc = d.cli("backup-end", "--wait", "--json");
        assertThat(inc.exitCode()).as("%s", inc).isZero();
        JsonNode stats = JSON.readTree(inc.out());
        assertThat(stats.get("type").asText()).isEqualTo("completed");
        assertThat(stats.get("disk_processed").asLong()).as("only what changed is copied").isLessThan(2L << 20);
        assertThat(QemuImg.info(d.target("inc", "vda"), true).backingFile()).contains(d.target("full", "vda").toString());
        assertThat(d.targetsEqualSources("inc")).as("full <- inc equals the disks now").isTrue();
        assertThat(d.bitmaps()).containsExactlyInAnyOrder("vda-format/cp1", "vdb-format/cp1", "vda-format/cp2",
                "vdb-format/cp2");
        d.assertNoLeftovers();
    }

    @Test
    void backupEndWithoutWaitCancelsARunningJob() throws Exception {
        jobId(d.cli("backup-begin", "--backup-speed", CliDomain.SLOW, d.pushXml("full", null)));
        assertThat(d.target("full", "vda")).exists();
        CliRunner.Result end = d.cli("backup-end");
        assertThat(end.exitCode()).as("%s", end).isZero();
        assertThat(end.out()).startsWith("Job type:         Cancelled   \n");
        assertThat(d.target("full", "vda")).as("a cancelled backup's targets are deleted").doesNotExist();
        assertThat(d.target("full", "vdb")).doesNotExist();
        assertThat(d.cli("domjobinfo", "--completed").out()).startsWith("Job type:         Cancelled   \n");
        CliRunner.Result again = d.cli("backup-end");
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).as("ending again reports the same job").isEqualTo(end.out());
        CliRunner.Result waitAgain = d.cli("backup-end", "--wait");
        assertThat(waitAgain.exitCode()).isZero();
        assertThat(waitAgain.out()).as("--wait with no job running reports the last one too").isEqualTo(end.out());
        d.assertNoLeftovers();
    }

    @Test
    void backupSpeedChangesTheRunningJobAndTheEndPlanIsShownFirst() throws Exception {
        jobId(d.cli("backup-begin", "--backup-speed", CliDomain.SLOW, d.pushXml("full", null)));
        CliRunner.Result plan = d.cli("backup-end", "--dry-run", "--print-qmp");
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.out()).startsWith("Job type:         Cancelled   \n")
                .contains("{\"execute\":\"job-cancel\",\"arguments\":{\"id\":\"vb-backup-vda\"}}");
        assertThat(d.target("full", "vda")).as("a dry run changes nothing").exists();
        assertThat(blockJobSpeeds()).containsOnly(1L << 20);
        CliRunner.Result speed = d.cli("backup-speed", "64M");
        assertThat(speed.exitCode()).as("%s", speed).isZero();
        assertThat(blockJobSpeeds()).as("QEMU's jobs copy at the new speed").containsOnly(64L << 20);
        CliRunner.Result end = d.cli("backup-end", "--wait");
        assertThat(end.out()).as("%s", end).startsWith("Job type:         Completed");
        assertThat(d.targetsEqualSources("full")).isTrue();
        CliRunner.Result none = d.cli("backup-speed", "1M");
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.err()).contains("no domain backup job present");
        d.assertNoLeftovers();
    }

    /** The speed of each block job, as QEMU's private monitor reports it. */
    private java.util.List<Long> blockJobSpeeds() {
        java.util.List<Long> speeds = new java.util.ArrayList<>();
        d.qemu.control(org.virtbackup.qemu.qmp.QmpCommand.of("query-block-jobs"))
                .forEach(j -> speeds.add(j.path("speed").asLong()));
        return speeds;
    }

    @Test
    void domjobabortCancelsARunningJob() throws Exception {
        jobId(d.cli("backup-begin", "--backup-speed", CliDomain.SLOW, d.pushXml("full", null)));
        CliRunner.Result abort = d.cli("domjobabort");
        assertThat(abort.exitCode()).as("%s", abort).isZero();
        assertThat(abort.out()).isEmpty();
        assertThat(d.cli("domjobinfo", "--completed").out()).startsWith("Job type:         Cancelled   \n");
        assertThat(d.target("full", "vda")).doesNotExist();
        d.assertNoLeftovers();
    }

    @Test
    void whileBackupEndWaitsOtherVerbsStillReachQemu() throws Exception {
        jobId(d.cli("backup-begin", "--backup-speed", CliDomain.SLOW, d.pushXml("full", null)));
        var waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return d.process("backup-end", "--wait");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(2000); // the waiter is polling by now
        CliRunner.Result info = d.process("domjobinfo");
        assertThat(info.exitCode()).as("%s", info).isZero();
        assertThat(info.out()).startsWith("Job type:         Unbounded");
        assertThat(d.process("domjobabort").exitCode()).as("abort from a third process").isZero();
        CliRunner.Result ended = waiting.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(ended.exitCode()).as("%s", ended).isZero();
        assertThat(ended.out()).startsWith("Job type:         Cancelled");
        d.assertNoLeftovers();
    }
}
