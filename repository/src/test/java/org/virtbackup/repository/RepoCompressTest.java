// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtbackup.nbd.testing.Tools;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * {@code --compress}: the same disks backed up plain and compressed restore to the same content, the compressed
 * files hold compressed clusters and are smaller for compressible data; an incremental onto a compressed full
 * works. Each manifest carries the domain's XML.
 */
@RequiresQemu
@Timeout(300)
class RepoCompressTest extends RepoTestBase {
    private static final long M = 1 << 20;

    Point backup(Repository r, Level level, boolean compress) {
        return new RepoBackup(r, Clock.systemUTC(), lines::add).run(f.domain(),
                new BackupRequest(level, List.of(), BackupRequest.DEFAULT_WORKERS, Optional.empty(), compress));
    }

    @Test
    void compressedPointsRestoreEqualAndAreSmallerForCompressibleData() throws Exception {
        f.qemu.guestWrite("vda", 0, 16 * M, 0x5a); // compressible: one byte repeated
        Path ref0 = f.reference("vda", tmp.resolve("vda.0.raw"));
        Repository plain = Repository.create(tmp.resolve("plain"));
        Repository small = Repository.create(tmp.resolve("small"));
        Point p = backup(plain, Level.FULL, false);
        Point c = backup(small, Level.FULL, true);
        assertThat(lines).anyMatch(l -> l.endsWith(c.name() + ", compressed"));

        Path plainVda = p.file(p.manifest().disk("vda").orElseThrow());
        Path smallVda = c.file(c.manifest().disk("vda").orElseThrow());
        assertThat(Tools.run("qemu-img", "check", smallVda.toString())).as("qcow2 keeps a cluster that does not "
                + "shrink uncompressed: the generated data is partly random").contains("% compressed clusters")
                .doesNotContain(" 0.00% compressed clusters");
        assertThat(Tools.run("qemu-img", "check", plainVda.toString())).contains("0.00% compressed clusters");
        assertThat(Files.size(smallVda)).as("compressed").isLessThan(Files.size(plainVda) / 2);
        assertThat(c.manifest().disk("vda").orElseThrow().sha256()).isEqualTo(RepoFixture.sha256(ref0));

        f.qemu.guestWrite("vda", 20 * M, 4 * M, 0x5b);
        Path ref1 = f.reference("vda", tmp.resolve("vda.1.raw"));
        Point c1 = backup(small, Level.INC, true);
        assertThat(c1.manifest().parent()).contains(c.name());
        assertThat(Tools.run("qemu-img", "info", "-U", c1.file(c1.manifest().disk("vda").orElseThrow()).toString()))
                .contains("backing file: ../" + c.name() + "/vda.qcow2");

        RepoRestore.restore(small, tmp.resolve("r0"), Optional.of(c.name()), List.of("vda"), "raw", lines::add);
        RepoRestore.restore(small, tmp.resolve("r1"), Optional.of(c1.name()), List.of("vda"), "raw", lines::add);
        assertThat(Files.mismatch(tmp.resolve("r0/vda.raw"), ref0)).isEqualTo(-1);
        assertThat(Files.mismatch(tmp.resolve("r1/vda.raw"), ref1)).isEqualTo(-1);
        assertThat(RepoVerify.verify(small, Optional.empty(), lines::add).ok()).isTrue();

        for (Point x : List.of(p, c, c1)) {
            String xml = x.manifest().domainXml().orElseThrow();
            assertThat(xml).as("the domain XML of %s", x.name()).startsWith("<domain").endsWith("</domain>\n")
                    .contains("<target dev='vda'").contains("<target dev='vdb'");
            assertThat(Repository.open(x.dir().getParent().getParent()).point(x.name()).manifest().domainXml())
                    .as("as read back from the manifest").contains(xml);
        }
    }
}
