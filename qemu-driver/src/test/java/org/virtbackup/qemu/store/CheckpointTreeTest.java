// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.virtbackup.api.CheckpointDeleteFlag;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;

class CheckpointTreeTest {

    //   a ── b ── c
    //        └─── d ── e
    //   r (second root)
    private static final CheckpointTree TREE = CheckpointTree.of(List.of(
            node("e", "d", 5), node("c", "b", 3), node("d", "b", 4), node("a", null, 1), node("b", "a", 2),
            node("r", null, 9)));

    private static CheckpointNode node(String name, String parent, long time) {
        return new CheckpointNode(name, Optional.ofNullable(parent), time);
    }

    @Test
    void listsFollowLibvirtFlags() {
        assertThat(TREE.list(Set.of())).containsExactly("a", "b", "c", "d", "e", "r");
        assertThat(TREE.list(EnumSet.of(CheckpointListFlag.ROOTS))).containsExactly("a", "r");
        assertThat(TREE.list(EnumSet.of(CheckpointListFlag.LEAVES))).containsExactly("c", "e", "r");
        assertThat(TREE.list(EnumSet.of(CheckpointListFlag.NO_LEAVES))).containsExactly("a", "b", "d");
        assertThat(TREE.list(EnumSet.of(CheckpointListFlag.LEAVES, CheckpointListFlag.NO_LEAVES))).hasSize(6);
        assertThat(TREE.list(EnumSet.of(CheckpointListFlag.ROOTS, CheckpointListFlag.LEAVES))).containsExactly("r");
    }

    @Test
    void childrenAndDescendants() {
        assertThat(TREE.listChildren("b", Set.of())).containsExactly("c", "d");
        assertThat(TREE.listChildren("a", EnumSet.of(CheckpointListFlag.DESCENDANTS))).containsExactly("b", "c", "d", "e");
        assertThat(TREE.listChildren("a", EnumSet.of(CheckpointListFlag.DESCENDANTS, CheckpointListFlag.LEAVES)))
                .containsExactly("c", "e");
        assertThat(TREE.parentOf("b")).contains("a");
        assertThat(TREE.parentOf("a")).isEmpty();
    }

    @Test
    void missingParentMakesARoot() {
        var t = CheckpointTree.of(List.of(node("x", "gone", 1)));
        assertThat(t.roots()).containsExactly("x");
    }

    @Test
    void unknownCheckpointIsNoDomainCheckpoint() {
        assertThatThrownBy(() -> TREE.children("zz"))
                .isInstanceOfSatisfying(VirtBackupException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_DOMAIN_CHECKPOINT))
                .hasMessage("no domain checkpoint with matching name 'zz'");
    }

    @Test
    void redefineRefusesOwnParentMissingParentAndCycles() {
        assertThatThrownBy(() -> TREE.checkRedefine("a", Optional.of("a"))).hasMessage("cannot set moment a as its own parent");
        assertThatThrownBy(() -> TREE.checkRedefine("n", Optional.of("zz"))).hasMessage("parent zz for moment n not found");
        assertThatThrownBy(() -> TREE.checkRedefine("b", Optional.of("e"))).hasMessage("parent e would create cycle to b");
        TREE.checkRedefine("n", Optional.of("e"));
        TREE.checkRedefine("b", Optional.of("r"));
    }

    @Test
    void deleteReparentsChildrenToTheParent() {
        var d = CheckpointDeletion.plan(TREE, "b", Optional.of("e"), Set.of());
        assertThat(d.removed()).containsExactly("b");
        assertThat(d.reparented()).isEqualTo(Map.of("c", Optional.of("a"), "d", Optional.of("a")));
        assertThat(d.newCurrent()).contains("e");
    }

    @Test
    void deleteChildrenRemovesChildrenFirstAndMovesCurrentToTheParent() {
        var d = CheckpointDeletion.plan(TREE, "b", Optional.of("e"), EnumSet.of(CheckpointDeleteFlag.CHILDREN));
        assertThat(d.removed()).containsExactly("e", "d", "c", "b");
        assertThat(d.reparented()).isEmpty();
        assertThat(d.newCurrent()).contains("a");
    }

    @Test
    void deleteChildrenOnlyKeepsTheCheckpointAndMakesItCurrent() {
        var d = CheckpointDeletion.plan(TREE, "b", Optional.of("e"), EnumSet.of(CheckpointDeleteFlag.CHILDREN_ONLY));
        assertThat(d.removed()).containsExactly("e", "d", "c");
        assertThat(d.newCurrent()).contains("b");
    }

    @Test
    void deletingARootMakesItsChildrenRoots() {
        var d = CheckpointDeletion.plan(TREE, "a", Optional.empty(), Set.of());
        assertThat(d.reparented()).isEqualTo(Map.of("b", Optional.empty()));
    }

    @Test
    void childrenAndChildrenOnlyAreExclusive() {
        assertThatThrownBy(() -> CheckpointDeletion.plan(TREE, "b", Optional.empty(),
                EnumSet.of(CheckpointDeleteFlag.CHILDREN, CheckpointDeleteFlag.CHILDREN_ONLY)))
                .isInstanceOfSatisfying(VirtBackupException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARG));
    }

    @Test
    void aLongChainListsInOrder() {
        List<CheckpointNode> chain = new java.util.ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            chain.add(node("c" + i, i == 0 ? null : "c" + (i - 1), 2000 - i)); // creation times reversed on purpose
        }
        CheckpointTree t = CheckpointTree.of(chain);
        List<String> topo = t.list(EnumSet.of(CheckpointListFlag.TOPOLOGICAL));
        assertThat(topo).hasSize(2000).startsWith("c0", "c1").endsWith("c1998", "c1999");
        assertThat(t.list(EnumSet.of(CheckpointListFlag.LEAVES))).containsExactly("c1999");
        assertThat(t.listChildren("c1000", EnumSet.of(CheckpointListFlag.DESCENDANTS))).hasSize(999);
    }

    @Test
    @org.junit.jupiter.api.Timeout(10)
    void aParentCycleInBadMetadataEnds() {
        var t = CheckpointTree.of(List.of(node("x", "y", 1), node("y", "x", 2), node("r", null, 3)));
        assertThat(t.roots()).containsExactly("r");
        assertThat(t.descendants("x")).containsExactly("y");
        assertThat(t.list(Set.of())).containsExactly("r");
    }
}
