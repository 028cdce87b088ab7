// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.virtbackup.qemu.driver.CheckpointQemu.create;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.EnumSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtbackup.api.CheckpointXmlFlag;
import org.virtbackup.api.Domain;
import org.virtbackup.qemu.plan.CheckpointPlanner;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.testing.RequiresQemu;

/** XML_SIZE on a real QEMU: bytes dirtied since the checkpoint, rounded to the bitmap granularity (64 KiB). */
@RequiresQemu
@Timeout(120)
class CheckpointSizeTest extends DomainTest {

    private static final long G = 64 << 10;

    /** The size of disk {@code disk} in the XML, or -1 when it has none. */
    private static long size(String xml, String disk) {
        Matcher m = Pattern.compile("<disk name='" + disk + "' checkpoint='bitmap' bitmap='[^']+'( size='(\\d+)')?/>")
                .matcher(xml);
        assertThat(m.find()).as("disk %s in %s", disk, xml).isTrue();
        return m.group(2) == null ? -1 : Long.parseLong(m.group(2));
    }

    private static String sizeXml(Domain dom, String cp) {
        return dom.checkpointLookupByName(cp).getXmlDesc(EnumSet.of(CheckpointXmlFlag.SIZE, CheckpointXmlFlag.NO_DOMAIN));
    }

    @Test
    void sizeIsTheBytesDirtiedSinceTheCheckpointPerDisk() {
        Domain dom = f.domain();
        create(dom, "c1");
        String xml = sizeXml(dom, "c1");
        assertThat(size(xml, "vda")).isZero();
        assertThat(size(xml, "vdb")).isZero();

        f.qemu.guestWrite("vda", 1 << 20, 128 << 10, 0xaa);        // two granules
        f.qemu.guestWrite("vda", (10 << 20) + 100, 4096, 0xbb);     // inside one granule
        f.qemu.guestWrite("vdb", (8 << 20) - 512, 1024, 0xcc);      // straddles two granules
        create(dom, "c2");
        f.qemu.guestWrite("vda", 20 << 20, G, 0xdd);
        assertThat(size(sizeXml(dom, "c1"), "vda")).isEqualTo(2 * G + G + G);
        assertThat(size(sizeXml(dom, "c1"), "vdb")).isEqualTo(2 * G);
        assertThat(size(sizeXml(f.reconnect(), "c2"), "vda")).isEqualTo(G);
        assertThat(size(sizeXml(f.domain(), "c2"), "vdb")).isZero();
        assertThat(f.domain().checkpointLookupByName("c1").getXmlDesc(EnumSet.of(CheckpointXmlFlag.NO_DOMAIN)))
                .doesNotContain("size=");
        f.assertNoLeftoversInQemu();
    }

    @Test
    void aDiskWithABrokenChainGetsNoSizeAndALeftoverTemporaryIsReplaced() {
        Domain dom = f.domain();
        create(dom, "c1");
        f.qemu.guestWrite("vdb", 0, G, 0x11);
        CheckpointQemu.removeBehindOurBack(f.qemu, "vda", "c1");
        // as if an earlier measurement had died between its two transactions
        String vdbNode = f.qemu.disks().get(1).formatNode();
        f.qemu.control(new QmpCommand("block-dirty-bitmap-add", JsonNodeFactory.instance.objectNode()
                .put("node", vdbNode).put("name", CheckpointPlanner.SIZE_BITMAP).put("persistent", false)));
        String xml = sizeXml(dom, "c1");
        assertThat(size(xml, "vda")).isEqualTo(-1);
        assertThat(size(xml, "vdb")).isEqualTo(G);
        f.assertNoLeftoversInQemu();
    }
}
