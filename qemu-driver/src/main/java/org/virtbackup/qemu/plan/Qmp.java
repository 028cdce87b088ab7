// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.virtbackup.qemu.block.BlockGraph;
import org.virtbackup.qemu.qmp.QmpCommand;

/**
 * Typed builders for exactly the QMP commands virtbackup sends. Names stay as QEMU spells them in the
 * JSON; optional members are left out when unset (QEMU treats absent and default differently, libvirt's
 * "omit zero" rule). Every argument set is checked against QEMU 7.2's {@code query-qmp-schema} in the
 * tests ({@code QmpSchemaValidator}). Known QEMU 7.2 traps are refused here, next to the builder.
 */
public final class Qmp {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private Qmp() {
    }

    /** {@code query-block}: the guest disks, read into a {@link BlockGraph}. */
    public static QmpCommand queryBlock() {
        return QmpCommand.of("query-block");
    }

    /** {@code query-named-block-nodes {"flat": true}}: every node with its bitmaps. */
    public static QmpCommand queryNamedBlockNodes() {
        ObjectNode a = JSON.objectNode();
        a.put("flat", true);
        return new QmpCommand("query-named-block-nodes", a);
    }

    /** {@code query-jobs}: status, progress and the final {@code error} of concluded jobs. */
    public static QmpCommand queryJobs() {
        return QmpCommand.of("query-jobs");
    }

    /** {@code blockdev-add}. */
    public static QmpCommand blockdevAdd(BlockdevOptions options) {
        return new QmpCommand("blockdev-add", options.toJson());
    }

    /** {@code blockdev-create}: starts job {@code jobId}, which concludes and must be dismissed (notes §1). */
    public static QmpCommand blockdevCreate(String jobId, CreateOptions options) {
        ObjectNode a = JSON.objectNode();
        a.put("job-id", Objects.requireNonNull(jobId, "jobId"));
        a.set("options", options.toJson());
        return new QmpCommand("blockdev-create", a);
    }

    /**
     * {@code blockdev-reopen}: reopens all these nodes in one step (all or none), each with its complete
     * options; see {@link LayerReopen}.
     */
    public static QmpCommand blockdevReopen(List<ObjectNode> options) {
        if (options.isEmpty()) {
            throw new IllegalArgumentException("blockdev-reopen of no node");
        }
        ObjectNode a = JSON.objectNode();
        ArrayNode list = a.putArray("options");
        options.forEach(o -> list.add(o.deepCopy()));
        return new QmpCommand("blockdev-reopen", a);
    }

    /** {@code blockdev-del}: flushes and closes the node (about 0.25 s for a 1 GiB target, notes §5). */
    public static QmpCommand blockdevDel(String nodeName) {
        ObjectNode a = JSON.objectNode();
        a.put("node-name", Objects.requireNonNull(nodeName, "nodeName"));
        return new QmpCommand("blockdev-del", a);
    }

    /** {@code block-dirty-bitmap-add}, persistent and enabled unless changed with the option methods. */
    public static TransactionAction.BitmapAdd blockDirtyBitmapAdd(String node, String name) {
        return new TransactionAction.BitmapAdd(node, name, true, false, Optional.empty());
    }

    /** {@code block-dirty-bitmap-remove}. */
    public static TransactionAction.BitmapRemove blockDirtyBitmapRemove(String node, String name) {
        return new TransactionAction.BitmapRemove(node, name);
    }

    /**
     * {@code block-dirty-bitmap-merge}.
     *
     * @throws IllegalArgumentException when {@code sources} is empty (it crashes QEMU 7.2, notes §8.1)
     */
    public static TransactionAction.BitmapMerge blockDirtyBitmapMerge(String node, String target,
            List<BitmapRef> sources) {
        return new TransactionAction.BitmapMerge(node, target, sources);
    }

    /** {@code blockdev-backup} with auto-finalize true and auto-dismiss false. */
    public static TransactionAction.BlockdevBackup blockdevBackup(String jobId, String device, String target,
            Sync sync) {
        return new TransactionAction.BlockdevBackup(jobId, device, target, sync, Optional.empty());
    }

    /** {@code transaction} in QEMU's default (individual) completion mode, as libvirt always sends it. */
    public static QmpCommand transaction(List<TransactionAction> actions) {
        return new QmpCommand("transaction", transactionArguments(actions));
    }

    /**
     * {@code transaction} with {@code completion-mode: grouped}.
     *
     * @throws IllegalArgumentException when an action is a bitmap action: QEMU refuses the combination
     *     ("Action 'block-dirty-bitmap-add' does not support Transaction property completion-mode =
     *     grouped", qemu-7.2-qmp-notes.md §4 case a, §8 gotcha 6)
     */
    public static QmpCommand transactionGrouped(List<TransactionAction> actions) {
        actions.stream().filter(TransactionAction::isBitmapAction).findFirst().ifPresent(a -> {
            throw new IllegalArgumentException("'" + a.type() + "' cannot be in a grouped transaction");
        });
        ObjectNode a = transactionArguments(actions);
        a.putObject("properties").put("completion-mode", "grouped");
        return new QmpCommand("transaction", a);
    }

    private static ObjectNode transactionArguments(List<TransactionAction> actions) {
        if (actions.isEmpty()) {
            throw new IllegalArgumentException("empty transaction");
        }
        ObjectNode a = JSON.objectNode();
        ArrayNode list = a.putArray("actions");
        actions.forEach(x -> list.add(x.toJson()));
        return a;
    }

    /** {@code job-cancel}; a cancelled job still concludes and needs {@code job-dismiss} (notes §1). */
    /** {@code block-job-set-speed}: a running copy job's new limit in bytes per second, 0 for none. */
    public static QmpCommand blockJobSetSpeed(String jobId, long speed) {
        return new QmpCommand("block-job-set-speed", JSON.objectNode().put("device", jobId).put("speed", speed));
    }

    public static QmpCommand jobCancel(String jobId) {
        return idCommand("job-cancel", jobId);
    }

    /** {@code job-dismiss} of a concluded job. */
    public static QmpCommand jobDismiss(String jobId) {
        return idCommand("job-dismiss", jobId);
    }

    /** {@code nbd-server-start}, optionally with TLS credentials made by {@link #objectAddTlsCredsX509}. */
    public static QmpCommand nbdServerStart(NbdAddress address, Optional<String> tlsCredsId) {
        ObjectNode a = JSON.objectNode();
        a.set("addr", address.toJson());
        tlsCredsId.ifPresent(t -> a.put("tls-creds", t));
        return new QmpCommand("nbd-server-start", a);
    }

    /** {@code getfd}: the descriptor sent with the command (SCM_RIGHTS) becomes the monitor's {@code fdname}. */
    public static QmpCommand getfd(String fdName) {
        return new QmpCommand("getfd", JSON.objectNode().put("fdname", Objects.requireNonNull(fdName, "fdName")));
    }

    /** {@code closefd}: closes a descriptor the monitor still holds under {@code fdname}. */
    public static QmpCommand closefd(String fdName) {
        return new QmpCommand("closefd", JSON.objectNode().put("fdname", Objects.requireNonNull(fdName, "fdName")));
    }

    /** {@code nbd-server-stop}: also deletes every export and drops the clients (notes §3). */
    public static QmpCommand nbdServerStop() {
        return QmpCommand.of("nbd-server-stop");
    }

    /**
     * {@code block-export-add} of a read-only NBD export. {@code bitmaps} must be disabled bitmaps; a bare
     * name is looked up along the exported node's backing chain (notes §8 gotcha 9).
     */
    public static QmpCommand blockExportAdd(String id, String nodeName, String exportName, List<String> bitmaps) {
        ObjectNode a = JSON.objectNode();
        a.put("type", "nbd");
        a.put("id", Objects.requireNonNull(id, "id"));
        a.put("node-name", Objects.requireNonNull(nodeName, "nodeName"));
        a.put("writable", false);
        a.put("name", Objects.requireNonNull(exportName, "exportName"));
        if (!bitmaps.isEmpty()) {
            ArrayNode b = a.putArray("bitmaps");
            bitmaps.forEach(b::add);
        }
        return new QmpCommand("block-export-add", a);
    }

    /**
     * {@code block-export-add} of a read-only NBD export whose bitmaps are named with their node: needed when
     * the exported node is a snapshot-access node, through which bare names are not found (notes §8 gotcha 9).
     */
    public static QmpCommand blockExportAddNodeBitmaps(String id, String nodeName, String exportName,
            List<BitmapRef> bitmaps) {
        QmpCommand c = blockExportAdd(id, nodeName, exportName, List.of());
        ObjectNode a = c.arguments().deepCopy();
        if (!bitmaps.isEmpty()) {
            ArrayNode b = a.putArray("bitmaps");
            bitmaps.forEach(x -> b.addObject().put("node", x.node()).put("name", x.name()));
        }
        return new QmpCommand("block-export-add", a);
    }

    /** {@code query-status}: whether the guest runs. */
    public static QmpCommand queryStatus() {
        return QmpCommand.of("query-status");
    }

    /** {@code stop}: pauses the guest's vCPUs. */
    public static QmpCommand stop() {
        return QmpCommand.of("stop");
    }

    /** {@code cont}: resumes the guest. */
    public static QmpCommand cont() {
        return QmpCommand.of("cont");
    }

    /** {@code set-action} of what a guest shutdown does: {@code pause} or {@code poweroff} (QEMU 6.0+). */
    public static QmpCommand setShutdownAction(String action) {
        return new QmpCommand("set-action", JSON.objectNode().put("shutdown", action));
    }

    /** {@code quit}: QEMU exits. */
    public static QmpCommand quit() {
        return QmpCommand.of("quit");
    }

    /** {@code qom-get}. */
    public static QmpCommand qomGet(String path, String property) {
        ObjectNode a = JSON.objectNode();
        a.put("path", Objects.requireNonNull(path, "path"));
        a.put("property", Objects.requireNonNull(property, "property"));
        return new QmpCommand("qom-get", a);
    }

    /**
     * {@code qom-set} of a string property. For a device's {@code drive}, read it with {@link #qomGet} first:
     * setting the node it already uses aborts QEMU 7.2 (notes §8 gotcha 2); {@link Step.SetDrive} does that.
     */
    public static QmpCommand qomSet(String path, String property, String value) {
        ObjectNode a = JSON.objectNode();
        a.put("path", Objects.requireNonNull(path, "path"));
        a.put("property", Objects.requireNonNull(property, "property"));
        a.put("value", Objects.requireNonNull(value, "value"));
        return new QmpCommand("qom-set", a);
    }

    /**
     * {@code block-export-del}. {@code hard} disconnects clients; the default ("safe") fails with "export
     * '...' still in use" while a client is connected (notes §3).
     */
    public static QmpCommand blockExportDel(String id, boolean hard) {
        ObjectNode a = JSON.objectNode();
        a.put("id", Objects.requireNonNull(id, "id"));
        if (hard) {
            a.put("mode", "hard");
        }
        return new QmpCommand("block-export-del", a);
    }

    /** {@code object-add} of server-side {@code tls-creds-x509} from a certificate directory (libvirt §4.1-8). */
    public static QmpCommand objectAddTlsCredsX509(String id, String dir, boolean verifyPeer) {
        ObjectNode a = JSON.objectNode();
        a.put("qom-type", "tls-creds-x509");
        a.put("id", Objects.requireNonNull(id, "id"));
        a.put("dir", Objects.requireNonNull(dir, "dir"));
        a.put("endpoint", "server");
        a.put("verify-peer", verifyPeer);
        return new QmpCommand("object-add", a);
    }

    /** {@code object-del}. */
    public static QmpCommand objectDel(String id) {
        return idCommand("object-del", id);
    }

    private static QmpCommand idCommand(String execute, String id) {
        ObjectNode a = JSON.objectNode();
        a.put("id", Objects.requireNonNull(id, "id"));
        return new QmpCommand(execute, a);
    }
}
