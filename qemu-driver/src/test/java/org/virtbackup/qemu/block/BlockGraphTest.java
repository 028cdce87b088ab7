// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;

class BlockGraphTest {

    @Test
    void libvirtDomainHasTwoSingleLayerDisksNamedAfterTheirDeviceIds() {
        BlockGraph g = GraphFixtures.load("libvirt-cp2.json");
        assertThat(g.disks()).extracting(BlockDisk::name).containsExactly("virtio-disk0", "virtio-disk1");
        BlockDisk vda = g.disk("virtio-disk0").orElseThrow();
        assertThat(vda.device()).isEmpty();
        assertThat(vda.qdev()).contains("/machine/peripheral/virtio-disk0/virtio-backend");
        assertThat(vda.topNodeName()).isEqualTo("libvirt-2-format");
        assertThat(vda.chain()).hasSize(1);
        BlockLayer top = vda.top();
        assertThat(top.driver()).isEqualTo("qcow2");
        assertThat(top.filename()).isEqualTo("/var/lib/libvirt/images/bk-vda.qcow2");
        assertThat(top.virtualSize()).isEqualTo(1L << 30);
        assertThat(top.clusterSize()).isEqualTo(65536);
        assertThat(top.readOnly()).isFalse();
        assertThat(top.bitmap("cp2")).contains(new BitmapInfo("cp2", true, true, false, false, 65536, 2162688));
        assertThat(g.nodeNames()).containsExactlyInAnyOrder("libvirt-1-format", "libvirt-1-storage",
                "libvirt-2-format", "libvirt-2-storage");
        assertThat(g.node("libvirt-1-storage").orElseThrow().driver()).isEqualTo("file");
        assertThat(g.diskOfNode("libvirt-1-format").map(BlockDisk::name)).contains("virtio-disk1");
    }

    @Test
    void threeLayerChainIsFoundTopFirst() {
        BlockGraph g = GraphFixtures.load("chain3.json");
        BlockDisk vda = g.disk("vda").orElseThrow();
        assertThat(vda.chain()).extracting(BlockLayer::nodeName)
                .containsExactly("top-format", "mid-format", "base-format");
        assertThat(vda.chain()).extracting(BlockLayer::readOnly).containsExactly(false, true, true);
        assertThat(vda.layersWithBitmap("cp1")).extracting(BlockLayer::nodeName)
                .containsExactly("top-format", "mid-format", "base-format");
        assertThat(vda.layersWithBitmap("cp2")).extracting(BlockLayer::nodeName)
                .containsExactly("top-format", "mid-format");
    }

    @Test
    void layersKnowTheirFileChildBackingAndReportedSettings() {
        BlockGraph g = GraphFixtures.load("chain3.json");
        BlockDisk vda = g.disk("vda").orElseThrow();
        assertThat(vda.chain()).extracting(BlockLayer::fileNode).containsExactly(Optional.of("top-storage"),
                Optional.of("mid-storage"), Optional.of("base-storage"));
        assertThat(vda.backingOf(vda.chain().get(0)).map(BlockLayer::nodeName)).contains("mid-format");
        assertThat(vda.backingOf(vda.chain().get(1)).map(BlockLayer::nodeName)).contains("base-format");
        assertThat(vda.backingOf(vda.chain().get(2))).isEmpty();
        assertThatThrownBy(() -> vda.backingOf(g.disk("vdb").orElseThrow().top()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(vda.top().settings()).isEqualTo(NodeSettings.DEFAULT);
        assertThat(vda.top().hasGeneratedName()).isFalse();
        assertThat(g.node("mid-storage").orElseThrow().readOnly()).isTrue();
        // protocol nodes have no file child of their own
        assertThat(g.node("mid-storage").orElseThrow().fileNode()).isEmpty();
        BlockLayer legacy = g.disk("drive-vdd").orElseThrow().top();
        assertThat(legacy.hasGeneratedName()).isTrue();
        assertThat(legacy.fileNode()).contains("#block050");
    }

    @Test
    void fileChildIsUnknownWhenTwoProtocolNodesReadTheFile() throws Exception {
        ObjectMapper m = new ObjectMapper();
        ArrayNode named = (ArrayNode) m.readTree("""
                [{"node-name":"f","drv":"qcow2","file":"/t","detect_zeroes":"unmap",
                  "cache":{"direct":true,"no-flush":false,"writeback":true}},
                 {"node-name":"s1","drv":"file","file":"/t"},{"node-name":"s2","drv":"host_device","file":"/t"}]""");
        BlockGraph g = BlockGraph.from(m.createArrayNode(), named);
        BlockLayer f = g.node("f").orElseThrow();
        assertThat(f.fileNode()).isEmpty();
        assertThat(f.settings()).isEqualTo(new NodeSettings("unmap", true, false));
    }

    @Test
    void legacyDriveIsNamedByDeviceAndRawDiskHasNoCluster() {
        BlockGraph g = GraphFixtures.load("chain3.json");
        assertThat(g.disks()).extracting(BlockDisk::name).containsExactlyInAnyOrder("drive-vdd", "vda", "vdb", "vdc");
        assertThat(g.disk("drive-vdd").orElseThrow().topNodeName()).startsWith("#block");
        BlockLayer raw = g.disk("vdb").orElseThrow().top();
        assertThat(raw.driver()).isEqualTo("raw");
        assertThat(raw.clusterSize()).isZero();
        assertThat(raw.virtualSize()).isEqualTo(32L << 20);
    }

    @Test
    void bitmapChainValidityFollowsLibvirt() {
        BlockGraph g = GraphFixtures.load("chain3.json");
        BlockDisk vda = g.disk("vda").orElseThrow();
        assertThat(vda.bitmapChainProblem("cp1")).isEmpty();
        assertThat(vda.bitmapChainProblem("cp2")).isEmpty();
        assertThat(vda.bitmapChainProblem("cp3")).isEmpty();
        assertThat(vda.bitmapChainProblem("cpbase"))
                .contains("bitmap 'cpbase' is missing in top layer 'top-format'");
        assertThat(vda.bitmapChainProblem("cpgap"))
                .contains("bitmap 'cpgap' in layer 'base-format' is separated from the top by a layer without it");
        assertThat(vda.bitmapChainProblem("cpdis")).contains("bitmap 'cpdis' in layer 'mid-format' is not recording");
        assertThat(vda.bitmapChainProblem("nosuch")).isPresent();
        BlockDisk vdc = g.disk("vdc").orElseThrow();
        assertThat(vdc.top().bitmap("cp1").orElseThrow().inconsistent()).isTrue();
        assertThat(vdc.bitmapChainProblem("cp1")).contains(
                "bitmap 'cp1' in layer 'crash-format' is inconsistent (QEMU was not shut down cleanly)");
        assertThat(vdc.bitmapChainProblem("cp2")).isEmpty();
    }

    @Test
    void transientBitmapIsNotAValidCheckpoint() {
        BlockLayer l = new BlockLayer("n", "qcow2", "/x", 1, 1, false,
                java.util.List.of(new BitmapInfo("t", true, false, false, false, 65536, 0)));
        BlockDisk d = new BlockDisk("d", Optional.empty(), Optional.empty(), java.util.List.of(l));
        assertThat(d.bitmapChainProblem("t")).contains("bitmap 't' in layer 'n' is not persistent");
    }

    @Test
    void driveWithoutMediumHasEmptyChain() {
        ObjectMapper m = new ObjectMapper();
        ArrayNode qb = m.createArrayNode();
        ObjectNode cd = qb.addObject();
        cd.put("device", "ide0-cd0");
        cd.put("qdev", "/machine/peripheral/sata0/x");
        BlockGraph g = BlockGraph.from(qb, m.createArrayNode());
        BlockDisk d = g.disk("ide0-cd0").orElseThrow();
        assertThat(d.hasMedia()).isFalse();
        assertThat(d.bitmapChainProblem("c")).contains("disk 'ide0-cd0' has no media");
        assertThatThrownBy(d::top).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void openedBackingImageWithoutNamedNodeIsAnError() throws Exception {
        ObjectMapper m = new ObjectMapper();
        ArrayNode qb = (ArrayNode) m.readTree("""
                [{"device":"","qdev":"/machine/peripheral/vda/virtio-backend","inserted":{"node-name":"top",
                  "drv":"qcow2","file":"/t","image":{"filename":"/t","format":"qcow2",
                  "backing-image":{"filename":"/b","format":"qcow2"}}}}]""");
        ArrayNode named = (ArrayNode) m.readTree("[{\"node-name\":\"top\",\"drv\":\"qcow2\",\"file\":\"/t\"}]");
        assertThatThrownBy(() -> BlockGraph.from(qb, named))
                .isInstanceOfSatisfying(VirtBackupException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL_ERROR))
                .hasMessage("unexpected block graph from QEMU: no named node for backing image '/b' (qcow2) of disk 'vda'");
        assertThatThrownBy(() -> BlockGraph.from(m.createObjectNode(), named))
                .hasMessageContaining("reply of 'query-block' is not an array");
    }

    @Test
    void deviceIdFromQdevPath() {
        assertThat(GraphParser.deviceId("/machine/peripheral/vda/virtio-backend")).isEqualTo("vda");
        assertThat(GraphParser.deviceId("/machine/peripheral/scsi0-0-0-0")).isEqualTo("scsi0-0-0-0");
        assertThat(GraphParser.deviceId("/machine/peripheral-anon/device[0]/virtio-backend"))
                .isEqualTo("/machine/peripheral-anon/device[0]/virtio-backend");
    }
}
