// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.libvirt.testing.LibvirtdVm;
import org.virtbackup.libvirt.testing.PrivateLibvirtd;
import org.virtbackup.libvirt.testing.RequiresLibvirt;
import org.virtbackup.libvirt.testing.TestDomain;
import org.virtbackup.libvirt.testing.Tools;

/**
 * The unchanged CLI on a domain a libvirtd runs ({@code --connect 'qemu:///system?socket=...' --domain D}), one
 * process per verb as a user runs it: backup-begin with a checkpoint, backup-end --wait, domjobinfo, and the
 * checkpoint verbs; the backup is verified and checkpoint-dumpxml prints what virsh prints.
 */
@RequiresLibvirt
class LibvirtCliTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    static Path dir;
    static LibvirtdVm opened;
    static PrivateLibvirtd libvirtd;
    static TestDomain vm;

    @BeforeAll
    static void start() throws Exception {
        opened = LibvirtdVm.start(dir, "cli1");
        libvirtd = opened.libvirtd();
        vm = opened.vm();
    }

    @AfterAll
    static void stop() throws Exception {
        if (opened != null) {
            opened.close();
        }
    }

    private static CliRunner.Result verb(String... args) throws Exception {
        // the plain local form, as in the README: each verb is its own process, without an embedded driver
        List<String> all = new ArrayList<>(List.of("--connect", libvirtd.localUri(), "--domain", "cli1"));
        all.addAll(List.of(args));
        CliRunner.Result r = CliDomain.runProcess(all);
        assertThat(r.exitCode()).as(String.join(" ", args) + ": " + r.err()).isZero();
        return r;
    }

    @Test
    void backupAndCheckpointVerbsThroughLibvirtd() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            Path backup = Files.writeString(dir.resolve("backup.xml"), "<domainbackup><disks>"
                    + "<disk name='vda' type='file'><target file='" + dir.resolve("vda.bak") + "'/></disk>"
                    + "<disk name='vdb' type='file'><target file='" + dir.resolve("vdb.bak") + "'/></disk>"
                    + "</disks></domainbackup>");
            Path cp = Files.writeString(dir.resolve("cp.xml"), "<domaincheckpoint><name>c1</name></domaincheckpoint>");
            verb("backup-begin", backup.toString(), "--checkpointxml", cp.toString());
            CliRunner.Result end = verb("backup-end", "--wait");
            assertThat(end.out()).contains("Completed");
            assertThat(Tools.sameData(vm.disk("vda"), dir.resolve("vda.bak"))).isTrue();
            assertThat(Tools.sameData(vm.disk("vdb"), dir.resolve("vdb.bak"))).isTrue();

            assertThat(verb("domjobinfo", "--completed", "--json").out()).contains("\"success\": true")
                    .contains("\"disk_total\": " + (2L * 16 << 20));
            assertThat(verb("checkpoint-list", "--name").out()).isEqualTo("c1\n");
            List<List<String>> variants = List.of(List.of("--no-domain"), List.of(), List.of("--size", "--no-domain"));
            for (List<String> flags : variants) {
                List<String> ourArgs = new java.util.ArrayList<>(List.of("checkpoint-dumpxml", "c1"));
                ourArgs.addAll(flags);
                String ours = verb(ourArgs.toArray(String[]::new)).out();
                List<String> virshArgs = new java.util.ArrayList<>(List.of("virsh", "-q", "-c", libvirtd.uri(),
                        "checkpoint-dumpxml", "cli1", "c1"));
                virshArgs.addAll(flags);
                assertThat(ours).as(flags.toString()).isEqualTo(Tools.check(virshArgs)).contains("<name>c1</name>");
                assertThat(ours.contains("<domain ")).as(flags.toString()).isEqualTo(flags.isEmpty());
            }
            verb("checkpoint-delete", "c1");
            assertThat(verb("checkpoint-list", "--name").out()).isEmpty();
        });
    }
}
