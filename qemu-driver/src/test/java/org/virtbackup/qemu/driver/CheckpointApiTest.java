// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.virtbackup.qemu.driver.CheckpointQemu.bitmaps;
import static org.virtbackup.qemu.driver.CheckpointQemu.both;
import static org.virtbackup.qemu.driver.CheckpointQemu.create;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtbackup.api.CheckpointDeleteFlag;
import org.virtbackup.api.CheckpointDiskState;
import org.virtbackup.api.CheckpointHealth;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.CheckpointXmlFlag;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.launch.BitmapInfo;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.testing.RequiresQemu;

/** The checkpoint API on a real QEMU: create, list, lookup, XML, delete with every flag, redefine. */
@RequiresQemu
@Timeout(120)
class CheckpointApiTest extends DomainTest {

    private static List<String> names(List<DomainCheckpoint> cps) {
        return cps.stream().map(DomainCheckpoint::name).toList();
    }

    private static List<String> list(Domain dom, CheckpointListFlag... flags) {
        EnumSet<CheckpointListFlag> set = EnumSet.noneOf(CheckpointListFlag.class);
        set.addAll(List.of(flags));
        return names(dom.listAllCheckpoints(set));
    }

    /** c1 <- c2 <- c3 and c1 <- c4: c4 is created after c3, then redefined with parent c1. */
    private Domain tree() {
        Domain dom = f.domain();
        create(dom, "c1");
        create(dom, "c2");
        create(dom, "c3");
        DomainCheckpoint c4 = create(dom, "c4");
        assertThat(c4.getParent()).map(DomainCheckpoint::name).contains("c3");
        String xml = c4.getXmlDesc(EnumSet.of(CheckpointXmlFlag.SECURE))
                .replace("<name>c3</name>", "<name>c1</name>");
        dom.checkpointCreateXml(xml, CheckpointQemu.redefine(true));
        return f.reconnect();
    }

    @Test
    void listLookupParentChildrenAndXml() {
        Domain dom = tree();
        assertThat(bitmaps(f.qemu)).isEqualTo(both("c1", "c2", "c3", "c4"));
        assertThat(list(dom)).containsExactly("c1", "c2", "c3", "c4");
        assertThat(list(dom, CheckpointListFlag.TOPOLOGICAL)).containsExactly("c1", "c2", "c3", "c4");
        assertThat(list(dom, CheckpointListFlag.ROOTS)).containsExactly("c1");
        assertThat(list(dom, CheckpointListFlag.LEAVES)).containsExactly("c3", "c4");
        assertThat(list(dom, CheckpointListFlag.NO_LEAVES)).containsExactly("c1", "c2");
        assertThat(list(dom, CheckpointListFlag.LEAVES, CheckpointListFlag.NO_LEAVES)).hasSize(4);

        DomainCheckpoint c1 = dom.checkpointLookupByName("c1");
        assertThat(names(c1.listAllChildren(Set.of()))).containsExactly("c2", "c4");
        assertThat(names(c1.listAllChildren(EnumSet.of(CheckpointListFlag.DESCENDANTS)))).containsExactly("c2", "c3", "c4");
        assertThat(names(c1.listAllChildren(EnumSet.of(CheckpointListFlag.DESCENDANTS, CheckpointListFlag.LEAVES))))
                .containsExactly("c3", "c4");
        assertThat(c1.getParent()).isEmpty();
        assertThat(dom.checkpointLookupByName("c3").getParent()).map(DomainCheckpoint::name).contains("c2");
        assertThat(dom.checkpointLookupByName("c4").isCurrent()).isTrue();
        assertThat(c1.isCurrent()).isFalse();

        VirtBackupException miss = catchThrowableOfType(() -> dom.checkpointLookupByName("nope"), VirtBackupException.class);
        assertThat(miss.code()).isEqualTo(ErrorCode.NO_DOMAIN_CHECKPOINT);
        assertThat(miss).hasMessage("no domain checkpoint with matching name 'nope'");

        String full = c1.getXmlDesc(Set.of());
        assertThat(full).startsWith("<domaincheckpoint>\n  <name>c1</name>\n").contains("<creationTime>")
                .contains("<disk name='vda' checkpoint='bitmap' bitmap='c1'/>")
                .contains("<disk name='vdb' checkpoint='bitmap' bitmap='c1'/>").contains("<domain type='kvm'>")
                .contains(f.vda.toString()).doesNotContain("size=");
        assertThat(c1.getXmlDesc(EnumSet.of(CheckpointXmlFlag.SECURE))).contains("<domain type='kvm'>");
        assertThat(c1.getXmlDesc(EnumSet.of(CheckpointXmlFlag.NO_DOMAIN))).doesNotContain("<domain type")
                .endsWith("</domaincheckpoint>\n");
        assertThat(dom.checkpointLookupByName("c2").getXmlDesc(EnumSet.of(CheckpointXmlFlag.NO_DOMAIN)))
                .contains("<parent>\n    <name>c1</name>\n  </parent>");

        VirtBackupException dup = catchThrowableOfType(() -> create(dom, "c2"), VirtBackupException.class);
        assertThat(dup.code()).isEqualTo(ErrorCode.OPERATION_FAILED);
        assertThat(dup).hasMessage("domain moment c2 already exists");
        assertThat(bitmaps(f.qemu)).isEqualTo(both("c1", "c2", "c3", "c4"));
        assertThat(dom.checkpointHealth().ok()).isTrue();
    }

    @Test
    void deleteWithEveryFlagRemovesExactlyTheRightBitmaps() throws Exception {
        Domain dom = tree();
        // plain: c3 is re-parented to c1, c2's bitmaps go from both disks
        dom.checkpointLookupByName("c2").delete(Set.of());
        assertThat(bitmaps(f.qemu)).isEqualTo(both("c1", "c3", "c4"));
        assertThat(list(dom)).containsExactly("c1", "c3", "c4");
        assertThat(dom.checkpointLookupByName("c3").getParent()).map(DomainCheckpoint::name).contains("c1");

        // CHILDREN_ONLY: c3 and c4 go, c1 stays and becomes current (c4 was)
        dom.checkpointLookupByName("c1").delete(EnumSet.of(CheckpointDeleteFlag.CHILDREN_ONLY));
        assertThat(bitmaps(f.qemu)).isEqualTo(both("c1"));
        assertThat(list(dom)).containsExactly("c1");
        assertThat(dom.checkpointLookupByName("c1").isCurrent()).isTrue();

        // CHILDREN: c5 and its child c6 go; c1 is current again
        assertThat(create(dom, "c5").getParent()).map(DomainCheckpoint::name).contains("c1");
        create(dom, "c6");
        dom.checkpointLookupByName("c5").delete(EnumSet.of(CheckpointDeleteFlag.CHILDREN));
        assertThat(bitmaps(f.qemu)).isEqualTo(both("c1"));
        assertThat(list(dom)).containsExactly("c1");
        assertThat(dom.checkpointLookupByName("c1").isCurrent()).isTrue();

        // METADATA_ONLY: the bitmaps stay, now orphans
        dom.checkpointLookupByName("c1").delete(EnumSet.of(CheckpointDeleteFlag.METADATA_ONLY));
        assertThat(list(dom)).isEmpty();
        assertThat(bitmaps(f.qemu)).isEqualTo(both("c1"));
        CheckpointHealth h = dom.checkpointHealth();
        assertThat(h.orphans()).extracting(CheckpointHealth.Orphan::disk).containsExactly("vda", "vdb");
        f.assertNoLeftoversInQemu();
        f.close();
        assertThat(QemuImg.bitmaps(f.vda, false)).extracting(BitmapInfo::name).containsExactly("c1");
        assertThat(QemuImg.bitmaps(f.vdb, false)).extracting(BitmapInfo::name).containsExactly("c1");
        assertThat(QemuImg.bitmaps(f.vda, false).get(0).recording()).isTrue();
    }

    @Test
    void redefineRoundTripThenValidateFailsOnceABitmapIsGone() {
        Domain dom = f.domain();
        create(dom, "c1");
        create(dom, "c2");
        String x1 = dom.checkpointLookupByName("c1").getXmlDesc(EnumSet.of(CheckpointXmlFlag.SECURE));
        String x2 = dom.checkpointLookupByName("c2").getXmlDesc(EnumSet.of(CheckpointXmlFlag.SECURE));
        dom.checkpointLookupByName("c1").delete(EnumSet.of(CheckpointDeleteFlag.METADATA_ONLY,
                CheckpointDeleteFlag.CHILDREN));
        assertThat(list(dom)).isEmpty();
        assertThat(bitmaps(f.qemu)).isEqualTo(both("c1", "c2"));

        // the chain must be redefined oldest first
        VirtBackupException order = catchThrowableOfType(
                () -> dom.checkpointCreateXml(x2, CheckpointQemu.redefine(false)), VirtBackupException.class);
        assertThat(order.code()).isEqualTo(ErrorCode.INVALID_ARG);
        assertThat(order).hasMessage("parent c1 for moment c2 not found");

        dom.checkpointCreateXml(x1, CheckpointQemu.redefine(true));
        dom.checkpointCreateXml(x2, CheckpointQemu.redefine(true));
        Domain again = f.reconnect();
        assertThat(list(again)).containsExactly("c1", "c2");
        assertThat(again.checkpointLookupByName("c2").isCurrent()).isTrue();
        assertThat(again.checkpointLookupByName("c2").getXmlDesc(EnumSet.of(CheckpointXmlFlag.SECURE))).isEqualTo(x2);
        assertThat(again.checkpointHealth().ok()).isTrue();

        CheckpointQemu.removeBehindOurBack(f.qemu, "vda", "c2");
        VirtBackupException bad = catchThrowableOfType(
                () -> again.checkpointCreateXml(x2, CheckpointQemu.redefine(true)), VirtBackupException.class);
        assertThat(bad.code()).isEqualTo(ErrorCode.CHECKPOINT_INCONSISTENT);
        assertThat(bad).hasMessageStartingWith("missing or broken bitmap 'c2' for disk 'vda'");
        CheckpointHealth h = again.checkpointHealth();
        assertThat(h.problems()).extracting(CheckpointHealth.DiskEntry::checkpoint, CheckpointHealth.DiskEntry::disk,
                CheckpointHealth.DiskEntry::state).containsExactly(
                org.assertj.core.groups.Tuple.tuple("c2", "vda", CheckpointDiskState.MISSING));
        // a plain delete is refused before any bitmap goes (vdb keeps its c2)
        VirtBackupException del = catchThrowableOfType(
                () -> again.checkpointLookupByName("c2").delete(Set.of()), VirtBackupException.class);
        assertThat(del).hasMessageContaining("bitmap 'c2' not found in backing chain of 'vda'")
                .hasMessageContaining("checkpoint-delete --metadata");
        assertThat(bitmaps(f.qemu)).containsEntry("vdb", List.of("c1", "c2"));
        f.assertNoLeftoversInQemu();
    }
}
