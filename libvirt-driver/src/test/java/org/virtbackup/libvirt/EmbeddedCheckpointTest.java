// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.CheckpointCreateFlag;
import org.virtbackup.api.CheckpointDeleteFlag;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.CheckpointXmlFlag;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.libvirt.testing.EmbeddedVm;
import org.virtbackup.libvirt.testing.RequiresLibvirt;
import org.virtbackup.libvirt.testing.TestDomain;

/** The checkpoint API through libvirt's embedded QEMU driver: create, list with flags, XML, parent, delete. */
@RequiresLibvirt
class EmbeddedCheckpointTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static EmbeddedVm opened;
    static TestDomain vm;
    static Domain dom;

    @BeforeAll
    static void start() throws Exception {
        opened = EmbeddedVm.start("cp1", dir);
        vm = opened.vm();
        dom = opened.domain();
    }

    @AfterAll
    static void stop() throws Exception {
        if (opened != null) {
            opened.close();
        }
    }

    private static DomainCheckpoint create(String name) {
        return dom.checkpointCreateXml("<domaincheckpoint><name>" + name + "</name><description>d &amp; '"
                + name + "'</description></domaincheckpoint>", Set.of());
    }

    private static Set<String> names(java.util.List<DomainCheckpoint> cps) {
        return cps.stream().map(DomainCheckpoint::name).collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void createListDumpxmlAndDeleteAChainAsLibvirtDoes() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            Instant before = Instant.now().minusSeconds(1);
            DomainCheckpoint a = create("a");
            vm.guestWrite(0, 0x21, 1);
            DomainCheckpoint b = create("b");
            DomainCheckpoint c = create("c");
            assertThat(a.creationTime()).isAfterOrEqualTo(before.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
            assertThat(b.getParent()).map(DomainCheckpoint::name).hasValue("a");
            assertThat(a.getParent()).isEmpty();
            assertThat(c.isCurrent()).isTrue();
            assertThat(a.isCurrent()).isFalse();

            assertThat(dom.listAllCheckpoints(Set.of(CheckpointListFlag.TOPOLOGICAL)))
                    .extracting(DomainCheckpoint::name).containsExactly("a", "b", "c");
            assertThat(names(dom.listAllCheckpoints(Set.of(CheckpointListFlag.ROOTS)))).containsExactly("a");
            assertThat(names(dom.listAllCheckpoints(Set.of(CheckpointListFlag.LEAVES)))).containsExactly("c");
            assertThat(names(dom.listAllCheckpoints(Set.of(CheckpointListFlag.NO_LEAVES))))
                    .containsExactlyInAnyOrder("a", "b");
            assertThat(names(a.listAllChildren(Set.of()))).containsExactly("b");
            assertThat(names(a.listAllChildren(Set.of(CheckpointListFlag.DESCENDANTS))))
                    .containsExactlyInAnyOrder("b", "c");

            String xml = a.getXmlDesc(Set.of(CheckpointXmlFlag.NO_DOMAIN, CheckpointXmlFlag.SIZE));
            assertThat(xml).startsWith("<domaincheckpoint>\n  <name>a</name>\n")
                    .contains("<description>d &amp; &apos;a&apos;</description>")
                    .contains("<disk name='vda' checkpoint='bitmap' bitmap='a' size='1048576'/>")
                    .contains("<disk name='vdb' checkpoint='bitmap' bitmap='a' size='0'/>")
                    .doesNotContain("<domain ").endsWith("</domaincheckpoint>\n");
            assertThat(b.getXmlDesc(Set.of())).contains("<parent>\n    <name>a</name>\n  </parent>")
                    .contains("<domain type='qemu'>");

            // metadata only: the bitmaps stay, and a redefine brings the checkpoint back
            String saved = c.getXmlDesc(Set.of());
            c.delete(Set.of(CheckpointDeleteFlag.METADATA_ONLY));
            assertThat(names(dom.listAllCheckpoints(Set.of()))).containsExactlyInAnyOrder("a", "b");
            DomainCheckpoint back = dom.checkpointCreateXml(saved,
                    Set.of(CheckpointCreateFlag.REDEFINE, CheckpointCreateFlag.REDEFINE_VALIDATE));
            assertThat(back.getParent()).map(DomainCheckpoint::name).hasValue("b");

            b.delete(Set.of(CheckpointDeleteFlag.CHILDREN_ONLY));
            assertThat(names(dom.listAllCheckpoints(Set.of()))).containsExactlyInAnyOrder("a", "b");
            a.delete(Set.of(CheckpointDeleteFlag.CHILDREN));
            assertThat(dom.listAllCheckpoints(Set.of())).isEmpty();
        });
    }

    @Test
    void anUnknownCheckpointIsLibvirtsNoDomainCheckpoint() {
        assertThatThrownBy(() -> dom.checkpointLookupByName("nope")).isInstanceOfSatisfying(
                VirtBackupException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NO_DOMAIN_CHECKPOINT);
                    assertThat(e.code().number()).isEqualTo(103);
                    // libvirt 9.0's QEMU driver raises it from VIR_FROM_QEMU (10), not VIR_FROM_DOMAIN_CHECKPOINT (our
                    // QEMU driver does the same: ConformanceTest.rejectionsCarryTheSameCodesAndDomains)
                    assertThat(e.domain()).isEqualTo(ErrorDomain.QEMU);
                    assertThat(e.getMessage()).isEqualTo(
                            "Domain checkpoint not found: no domain checkpoint with matching name 'nope'");
                });
    }
}
