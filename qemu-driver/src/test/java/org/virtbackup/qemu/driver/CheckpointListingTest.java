// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.CheckpointCreateFlag;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;

/**
 * Listings are kept between calls (checkpoint store snapshots), yet what another process changes in the state
 * directory shows in the very next listing of an open connection. The domain is stopped (no QEMU): checkpoint
 * metadata is served from the state directory alone, as for libvirt's inactive domain.
 */
@Timeout(120)
class CheckpointListingTest {

    @TempDir
    Path tmp;

    private static String redefine(String name, String parent) {
        return "<domaincheckpoint><name>" + name + "</name>"
                + (parent == null ? "" : "<parent><name>" + parent + "</name></parent>")
                + "<creationTime>" + (1_700_000_000 + Integer.parseInt(name.substring(1))) + "</creationTime>"
                + "<disks><disk name='vda' checkpoint='bitmap'/></disks></domaincheckpoint>";
    }

    private static List<String> names(List<DomainCheckpoint> cps) {
        return cps.stream().map(DomainCheckpoint::name).toList();
    }

    private String child(String... args) throws Exception {
        return DriverChild.run(args);
    }

    @Test
    void anotherProcesssRedefineAndDeleteShowInTheNextListing() throws Exception {
        Path state = Files.createDirectories(tmp.resolve("state"));
        Files.createDirectories(state.resolve("vm1"));
        URI uri = new URI("qmp+unix", "", tmp.resolve("no-qemu.sock").toString(), "domain=vm1", null);
        try (Connection conn = Connections.open(uri, Map.of("stateDir", state.toString()))) {
            Domain dom = conn.domain();
            dom.checkpointCreateXml(redefine("c1", null), EnumSet.of(CheckpointCreateFlag.REDEFINE));
            dom.checkpointCreateXml(redefine("c2", "c1"), EnumSet.of(CheckpointCreateFlag.REDEFINE));
            assertThat(names(dom.listAllCheckpoints(Set.of()))).containsExactly("c1", "c2");
            assertThat(names(dom.listAllCheckpoints(Set.of()))).containsExactly("c1", "c2");

            Path xml = Files.writeString(tmp.resolve("c3.xml"), redefine("c3", "c2"));
            assertThat(child("checkpoint-redefine", uri.toString(), state.toString(), xml.toString())).isEqualTo("OK c3");
            assertThat(names(dom.listAllCheckpoints(Set.of()))).containsExactly("c1", "c2", "c3");
            assertThat(names(dom.listAllCheckpoints(EnumSet.of(CheckpointListFlag.LEAVES)))).containsExactly("c3");

            assertThat(child("checkpoint-delete", uri.toString(), state.toString(), "c2", "METADATA_ONLY"))
                    .isEqualTo("OK c2");
            assertThat(names(dom.listAllCheckpoints(Set.of()))).containsExactly("c1", "c3");
            assertThat(dom.checkpointLookupByName("c3").getParent()).map(DomainCheckpoint::name).contains("c1");
            assertThat(names(dom.checkpointLookupByName("c1").listAllChildren(Set.of()))).containsExactly("c3");
        }
    }
}
