// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.virtbackup.qemu.qmp.QmpCommand;

class QmpTest {
    private final QmpSchemaValidator schema = QmpSchemaValidator.qemu72();

    private List<QmpCommand> everyBuilder() {
        return List.of(
                Qmp.queryBlock(), Qmp.queryNamedBlockNodes(), Qmp.queryJobs(),
                Qmp.blockdevAdd(new BlockdevOptions.Storage("s", false, "/t.qcow2")),
                Qmp.blockdevAdd(new BlockdevOptions.Storage("s", true, "/dev/sdb")),
                Qmp.blockdevAdd(new BlockdevOptions.Qcow2("f", "s", Optional.empty())),
                Qmp.blockdevAdd(new BlockdevOptions.Qcow2("f", "s", Optional.of("libvirt-2-format"))),
                Qmp.blockdevAdd(new BlockdevOptions.Raw("f", "s")),
                Qmp.blockdevCreate("j", new CreateOptions.File("/t", 0)),
                Qmp.blockdevCreate("j", new CreateOptions.Qcow2("s", 1 << 30, Optional.of(65536L),
                        Optional.empty(), Optional.empty()).backing("/full.qcow2", "qcow2")),
                Qmp.blockdevDel("f"),
                Qmp.blockDirtyBitmapAdd("n", "cp").toCommand(),
                Qmp.blockDirtyBitmapAdd("n", "t").persistent(false).disabled(true).granularity(65536).toCommand(),
                Qmp.blockDirtyBitmapRemove("n", "cp").toCommand(),
                Qmp.blockDirtyBitmapMerge("n", "t", List.of(new BitmapRef("n", "cp"))).toCommand(),
                Qmp.blockdevBackup("j", "n", "t", Sync.INCREMENTAL).bitmap("t").toCommand(),
                Qmp.transaction(List.of(Qmp.blockDirtyBitmapAdd("n", "cp"),
                        Qmp.blockdevBackup("j", "n", "t", Sync.FULL))),
                Qmp.transactionGrouped(List.of(Qmp.blockdevBackup("j", "n", "t", Sync.NONE))),
                Qmp.jobCancel("j"), Qmp.jobDismiss("j"),
                Qmp.nbdServerStart(new NbdAddress.Unix("/run/nbd.sock"), Optional.empty()),
                Qmp.nbdServerStart(new NbdAddress.Inet("localhost", 10809), Optional.of("tls0")),
                Qmp.nbdServerStart(new NbdAddress.Fd("g", "nbdfd"), Optional.empty()),
                Qmp.nbdServerStop(),
                Qmp.blockExportAdd("e", "n", "vda", List.of("backup-vda")),
                Qmp.blockExportAdd("e", "n", "vda", List.of()),
                Qmp.blockExportDel("e", true), Qmp.blockExportDel("e", false), Qmp.getfd("nbdfd"), Qmp.closefd("nbdfd"),
                Qmp.objectAddTlsCredsX509("tls0", "/etc/pki/qemu", false), Qmp.objectDel("tls0"));
    }

    @Test
    void everyBuilderProducesSchemaValidArguments() {
        everyBuilder().forEach(schema::assertValid);
    }

    @Test
    void validatorCatchesUnknownMembersMissingMembersBadEnumsAndTypes() {
        assertThat(schema.validate(QmpCommand.of("no-such-command"))).containsExactly("unknown command 'no-such-command'");
        var bad = Qmp.blockdevBackup("j", "n", "t", Sync.FULL).toCommand().arguments();
        bad.put("sync", "sideways");
        bad.put("speed", "fast");
        bad.put("nonsense", 1);
        bad.remove("target");
        assertThat(schema.validate(new QmpCommand("blockdev-backup", bad))).containsExactlyInAnyOrder(
                "blockdev-backup: unknown member 'nonsense'",
                "blockdev-backup.sync: \"sideways\" is not one of [\"top\",\"full\",\"none\",\"incremental\",\"bitmap\"]",
                "blockdev-backup.speed: expected int, got \"fast\"",
                "blockdev-backup: missing required member 'target'");
    }

    @Test
    void validatorFollowsUnionsIntoTransactionDataAndDriverBranches() {
        var tx = Qmp.transaction(List.of(Qmp.blockDirtyBitmapAdd("n", "cp"))).arguments();
        ((com.fasterxml.jackson.databind.node.ObjectNode) tx.get("actions").get(0).get("data")).put("bogus", true);
        assertThat(schema.validate(new QmpCommand("transaction", tx)))
                .containsExactly("transaction.actions[0].data: unknown member 'bogus'");
        // raw has no 'backing' member: only the generic-COW formats do
        var raw = new BlockdevOptions.Raw("f", "s").toJson();
        raw.putNull("backing");
        assertThat(schema.validate(new QmpCommand("blockdev-add", raw))).containsExactly("blockdev-add: unknown member 'backing'");
        var create = new CreateOptions.File("/t", 0).toJson();
        create.put("cluster-size", 65536);
        assertThat(schema.validate(Qmp.blockdevCreate("j", new CreateOptions.File("/t", 0)))).isEmpty();
        var cmd = Qmp.blockdevCreate("j", new CreateOptions.File("/t", 0)).arguments();
        cmd.set("options", create);
        assertThat(schema.validate(new QmpCommand("blockdev-create", cmd)))
                .containsExactly("blockdev-create.options: unknown member 'cluster-size'");
    }

    @Test
    void builderShapesMatchLibvirt() {
        assertThat(Qmp.blockDirtyBitmapAdd("libvirt-2-format", "backup-vda").persistent(false).disabled(true)
                .granularity(65536).toJson().toString()).isEqualTo(
                "{\"type\":\"block-dirty-bitmap-add\",\"data\":{\"node\":\"libvirt-2-format\",\"name\":\"backup-vda\","
                        + "\"persistent\":false,\"disabled\":true,\"granularity\":65536}}");
        assertThat(Qmp.blockdevBackup("backup-vda", "libvirt-2-format", "libvirt-3-format", Sync.FULL).data()
                .toString()).isEqualTo("{\"device\":\"libvirt-2-format\",\"job-id\":\"backup-vda\","
                        + "\"target\":\"libvirt-3-format\",\"sync\":\"full\",\"auto-finalize\":true,\"auto-dismiss\":false}");
        assertThat(Qmp.nbdServerStart(new NbdAddress.Inet("localhost", 10809), Optional.empty()).arguments()
                .toString()).isEqualTo("{\"addr\":{\"type\":\"inet\",\"data\":{\"host\":\"localhost\",\"port\":\"10809\"}}}");
        assertThat(Qmp.blockExportAdd("e", "n", "vda", List.of()).arguments().has("bitmaps")).isFalse();
    }

    @Test
    void emptyMergeIsRefusedBecauseItCrashesQemu72() {
        assertThatThrownBy(() -> Qmp.blockDirtyBitmapMerge("n", "backup-vda", List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty 'bitmaps' list");
    }

    @Test
    void groupedCompletionRefusesBitmapActions() {
        assertThatThrownBy(() -> Qmp.transactionGrouped(List.of(Qmp.blockDirtyBitmapAdd("n", "cp"),
                Qmp.blockdevBackup("j", "n", "t", Sync.FULL))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'block-dirty-bitmap-add' cannot be in a grouped transaction");
        assertThat(Qmp.transactionGrouped(List.of(Qmp.blockdevBackup("j", "n", "t", Sync.FULL))).arguments()
                .path("properties").path("completion-mode").asText()).isEqualTo("grouped");
    }

    @Test
    void backupJobsNeverAutoDismissAndIncrementalNeedsABitmap() {
        assertThat(Qmp.blockdevBackup("j", "n", "t", Sync.NONE).data().get("auto-dismiss").asBoolean()).isFalse();
        assertThatThrownBy(() -> Qmp.blockdevBackup("j", "n", "t", Sync.INCREMENTAL).data())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Qmp.transaction(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
