// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.virtbackup.api.CheckpointDiskState;
import org.virtbackup.api.CheckpointHealth;
import org.virtbackup.qemu.block.BlockGraph;
import org.virtbackup.qemu.block.GraphFixtures;
import org.virtbackup.xml.CheckpointXml;
import org.virtbackup.xml.model.CheckpointDef;

/** Reconciliation on chain3.json: vda top <- mid <- base with bitmaps in every kind of state, vdc crashed. */
class CheckpointReconcilerTest {

    private static final BlockGraph CHAIN3 = GraphFixtures.load("chain3.json");

    private static CheckpointDef cp(String name, String disks) {
        return CheckpointXml.parseRedefine("<domaincheckpoint><name>" + name + "</name><creationTime>1</creationTime>"
                + "<disks>" + disks + "</disks></domaincheckpoint>");
    }

    private static String disk(String name) {
        return "<disk name='" + name + "' checkpoint='bitmap'/>";
    }

    @Test
    void everyStateAndTheOrphans() {
        List<CheckpointDef> defs = List.of(
                cp("cp1", disk("vda") + disk("vdc")),
                cp("cp2", disk("vda")),
                cp("cpgap", disk("vda")),
                cp("cpdis", disk("vda")),
                cp("cpbase", disk("vda")),
                cp("gone", disk("vda") + disk("vdz") + "<disk name='vdb' checkpoint='no'/>"));
        CheckpointHealth h = CheckpointReconciler.reconcile(defs, CHAIN3);
        assertThat(h.disks()).extracting(CheckpointHealth.DiskEntry::checkpoint, CheckpointHealth.DiskEntry::disk,
                CheckpointHealth.DiskEntry::state).containsExactly(
                tuple("cp1", "vda", CheckpointDiskState.OK),
                tuple("cp1", "vdc", CheckpointDiskState.INCONSISTENT),
                tuple("cp2", "vda", CheckpointDiskState.OK),
                tuple("cpgap", "vda", CheckpointDiskState.BROKEN_CHAIN),
                tuple("cpdis", "vda", CheckpointDiskState.NOT_RECORDING),
                tuple("cpbase", "vda", CheckpointDiskState.BROKEN_CHAIN),
                tuple("gone", "vda", CheckpointDiskState.MISSING),
                tuple("gone", "vdz", CheckpointDiskState.MISSING));
        assertThat(h.ok()).isFalse();
        assertThat(h.disks().get(0).repair()).isEmpty();
        assertThat(h.disks().get(1).detail()).contains("inconsistent");
        // cp1 is broken on vdc only, but its repair is for the whole checkpoint: a plain delete
        assertThat(h.disks().get(1).repair()).startsWith("delete the checkpoint and its bitmaps: 'checkpoint-delete cp1'");
        assertThat(h.disks().get(7).detail()).isEqualTo("disk 'vdz' is not in the domain");
        assertThat(h.disks().get(6).repair()).contains("'checkpoint-delete gone --metadata'")
                .doesNotContain("checkpoint-remove-bitmap");
        // cp3 has no metadata, and cp2 is claimed for vda only: orphans; nothing else is unclaimed
        assertThat(h.orphans()).containsExactly(
                new CheckpointHealth.Orphan("vda", "cp3", List.of("top-format"), true),
                new CheckpointHealth.Orphan("vdc", "cp2", List.of("crash-format"), true));
    }

    @Test
    void withoutMetadataEveryPersistentBitmapIsAnOrphan() {
        CheckpointHealth h = CheckpointReconciler.reconcile(List.of(), CHAIN3);
        assertThat(h.disks()).isEmpty();
        assertThat(h.orphans()).extracting(CheckpointHealth.Orphan::disk, CheckpointHealth.Orphan::bitmap,
                CheckpointHealth.Orphan::usable).containsExactly(
                tuple("vda", "cp1", true), tuple("vda", "cp2", true), tuple("vda", "cp3", true),
                tuple("vda", "cpbase", false), tuple("vda", "cpdis", false), tuple("vda", "cpgap", false),
                tuple("vdc", "cp1", false), tuple("vdc", "cp2", true));
        assertThat(h.orphans().get(0).nodes()).containsExactly("top-format", "mid-format", "base-format");
    }

    @Test
    void aBitmapClaimedForOneDiskIsAnOrphanOnAnother() {
        CheckpointHealth h = CheckpointReconciler.reconcile(List.of(cp("cp2", disk("vda"))), CHAIN3);
        assertThat(h.ok()).isFalse();
        assertThat(h.problems()).isEmpty();
        assertThat(h.orphans()).extracting(CheckpointHealth.Orphan::disk, CheckpointHealth.Orphan::bitmap)
                .contains(tuple("vdc", "cp2")).doesNotContain(tuple("vda", "cp2"));
    }

    @Test
    void aMissingDiskWithCopiesLeftElsewhereNamesBothRepairs() {
        CheckpointHealth h = CheckpointReconciler.reconcile(List.of(cp("cp3", disk("vda") + disk("vdc"))), CHAIN3);
        assertThat(Map.of(h.disks().get(0).disk(), h.disks().get(0).state(), h.disks().get(1).disk(),
                h.disks().get(1).state())).isEqualTo(Map.of("vda", CheckpointDiskState.OK, "vdc",
                CheckpointDiskState.MISSING));
        assertThat(h.disks().get(1).repair()).contains("'checkpoint-delete cp3 --metadata'")
                .contains("'checkpoint-remove-bitmap cp3'");
    }
}
