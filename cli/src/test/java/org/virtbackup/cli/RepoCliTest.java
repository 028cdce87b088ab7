// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.nbd.testing.Tools;
import org.virtbackup.qemu.testing.RequiresQemu;

/** {@code virtbackup repo ...} on a real QEMU: backup, list, verify, restore, and their errors. */
@RequiresQemu
@Timeout(240)
class RepoCliTest {
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

    @Test
    void backupListVerifyAndRestoreAChain() throws Exception {
        String repo = tmp.resolve("repo").toString();
        CliRunner.Result full = d.cli("repo", "backup", repo);
        assertThat(full.exitCode()).as("%s", full).isZero();
        assertThat(full.out()).contains("full backup of 'vm1' into point repo-").contains("vda: ")
                .contains(" complete\n");

        d.qemu.guestWrite("vda", 1 << 20, 1 << 20, 0x61);
        Path refA = d.reference("vda");
        Path refB = d.reference("vdb");
        CliRunner.Result inc = d.cli("--json", "repo", "backup", repo, "--level", "inc");
        assertThat(inc.exitCode()).as("%s", inc).isZero();
        JsonNode point = JSON.readTree(inc.out());
        assertThat(point.path("level").asText()).isEqualTo("inc");
        assertThat(point.path("disks").get(0).path("bytesRead").asLong()).isEqualTo(1 << 20);
        String incName = point.path("checkpoint").asText();

        CliRunner.Result list = CliRunner.run("repo", "list", repo);
        assertThat(list.exitCode()).isZero();
        assertThat(list.out().lines()).hasSize(3);
        assertThat(list.out()).contains(incName + "  vm1     inc");
        assertThat(JSON.readTree(CliRunner.run("repo", "list", repo, "--json").out())).hasSize(2);

        CliRunner.Result verify = CliRunner.run("repo", "verify", repo);
        assertThat(verify.exitCode()).as("%s", verify).isZero();
        assertThat(verify.out()).endsWith("all 4 disk images verified\n");

        Path out = tmp.resolve("out");
        CliRunner.Result restore = CliRunner.run("repo", "restore", repo, "--to", out.toString(), "--format", "raw");
        assertThat(restore.exitCode()).as("%s", restore).isZero();
        assertThat(Files.mismatch(out.resolve("vda.raw"), refA)).isEqualTo(-1);
        assertThat(Files.mismatch(out.resolve("vdb.raw"), refB)).isEqualTo(-1);

        CliRunner.Result prune = CliRunner.run("repo", "prune", repo, "--keep", "1");
        assertThat(prune.exitCode()).as("%s", prune).isZero();
        assertThat(prune.out()).contains("point " + incName + " is now the full of its chain")
                .endsWith("1 point(s) removed\n");
        assertThat(CliRunner.run("repo", "verify", repo).exitCode()).isZero();

        Path file = tmp.resolve("repo/vm1/" + incName + "/vda.qcow2");
        long at = firstDataOffset(file);
        try (RandomAccessFile r = new RandomAccessFile(file.toFile(), "rw")) {
            r.seek(at);
            int b = r.read();
            r.seek(at);
            r.write(b ^ 1);
        }
        CliRunner.Result bad = CliRunner.run("repo", "verify", repo);
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).startsWith("error: point '" + incName + "' disk 'vda': content differs");
    }

    @Test
    void usageErrorsExit2AndFailuresExit1() {
        String repo = tmp.resolve("repo").toString();
        assertThat(d.cli("repo", "backup", repo, "--level", "weekly").exitCode()).isEqualTo(2);
        assertThat(CliRunner.run("repo").exitCode()).isEqualTo(2);
        assertThat(CliRunner.run("repo", "restore", repo).exitCode()).as("--to is required").isEqualTo(2);
        CliRunner.Result inc = d.cli("repo", "backup", repo, "--level", "inc");
        assertThat(inc.exitCode()).isEqualTo(1);
        assertThat(inc.err()).startsWith("error: cannot take an incremental backup: the repository has no point");
        CliRunner.Result nope = CliRunner.run("repo", "restore", repo, "--to", tmp.resolve("o").toString(),
                "--until", "nope");
        assertThat(nope.exitCode()).isEqualTo(1);
        assertThat(nope.err()).startsWith("error: no point 'nope' in repository");
        assertThat(CliRunner.run("repo", "prune", repo, "--keep", "0").exitCode()).isEqualTo(2);
        CliRunner.Result missing = CliRunner.run("repo", "list", tmp.resolve("absent").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("is not a directory");
    }

    private static long firstDataOffset(Path qcow2) throws Exception {
        for (JsonNode e : JSON.readTree(Tools.run("qemu-img", "map", "--output=json", "-f", "qcow2",
                qcow2.toString()))) {
            if (e.path("data").asBoolean() && e.path("depth").asInt() == 0 && e.has("offset")) {
                return e.path("offset").asLong();
            }
        }
        throw new AssertionError("no data cluster in " + qcow2);
    }
}
