// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtbackup.api.CheckpointHealth;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.block.BlockDisk;
import org.virtbackup.qemu.block.BlockGraph;
import org.virtbackup.qemu.exec.Journal;
import org.virtbackup.qemu.exec.PlanExecutor;
import org.virtbackup.qemu.health.CheckpointReconciler;
import org.virtbackup.qemu.plan.CheckpointPlanner;
import org.virtbackup.qemu.store.AtomicFiles;
import org.virtbackup.qemu.store.CheckpointStore;
import org.virtbackup.qemu.store.DomainLock;
import org.virtbackup.xml.CheckpointAligner;
import org.virtbackup.xml.CheckpointNames;
import org.virtbackup.xml.CheckpointXml;
import org.virtbackup.xml.model.CheckpointDef;
import org.virtbackup.xml.model.CheckpointDiskDef;

/**
 * Reconciliation (beyond libvirt): the health report, and the repairs that need more than a
 * {@code METADATA_ONLY} delete: adopting an orphan bitmap as a checkpoint, and removing one. Nothing is
 * changed without being asked for.
 */
final class CheckpointRepair {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointRepair.class);
    /** At open the report is skipped rather than waiting for another process's operation. */
    private static final Duration OPEN_LOCK_WAIT = Duration.ofMillis(200);
    /** The last health report logged as a warning at open. */
    static final String LOGGED = "health-logged.txt";

    private final DomainContext ctx;

    CheckpointRepair(DomainContext ctx) {
        this.ctx = ctx;
    }

    CheckpointHealth health() {
        try (DomainLock lock = ctx.lock()) {
            return compute(ctx.checkpoints(), ctx.view().graph());
        }
    }

    /** The report of the store against the graph, checkpoints in topological order. */
    static CheckpointHealth compute(CheckpointStore store, BlockGraph graph) {
        Map<String, CheckpointDef> all = store.summaries(); // names and disks are all the report reads
        List<CheckpointDef> ordered = CheckpointStore.tree(all).topological().stream().map(all::get).toList();
        return CheckpointReconciler.reconcile(ordered, graph);
    }

    /**
     * Computes the report when a connection opens and logs it: a warning listing every problem when the report
     * differs from the last one warned about (kept in {@value #LOGGED} in the domain's state directory, so that
     * each CLI verb does not repeat it), else a debug line; an info line when all is well again. Never fails
     * the open.
     */
    static void logAtOpen(DomainContext ctx) {
        try (DomainLock lock = DomainLock.acquire(ctx.domainDir(), OPEN_LOCK_WAIT)) {
            CheckpointHealth h = compute(ctx.checkpoints(), ctx.view().graph());
            Path logged = ctx.domainDir().resolve(LOGGED);
            Optional<String> before = AtomicFiles.read(logged);
            if (h.ok()) {
                LOG.debug("domain '{}': {} checkpoint disk(s), all ok, no orphan bitmap", ctx.name(), h.disks().size());
                if (before.isPresent()) {
                    LOG.info("domain '{}': checkpoints and bitmaps agree again", ctx.name());
                    AtomicFiles.delete(logged);
                }
                return;
            }
            String report = describe(ctx.name(), h);
            if (before.filter(report::equals).isPresent()) {
                LOG.debug("{} (unchanged since it was logged)", report);
            } else {
                LOG.warn("{}", report);
                AtomicFiles.write(logged, report);
            }
        } catch (RuntimeException e) {
            LOG.debug("domain '{}': checkpoint health not checked at open: {}", ctx.name(), e.getMessage());
        }
    }

    /** The problems of a report, one line each, with the repair. */
    static String describe(String domain, CheckpointHealth h) {
        StringBuilder sb = new StringBuilder("domain '").append(domain).append("': ").append(h.problems().size())
                .append(" checkpoint disk(s) not usable, ").append(h.orphans().size())
                .append(" orphan bitmap(s); nothing was changed (see checkpoint-validate):");
        h.problems().forEach(p -> sb.append("\n  checkpoint '").append(p.checkpoint()).append("' disk '")
                .append(p.disk()).append("': ").append(p.state().label()).append(" (").append(p.detail())
                .append("); repair: ").append(p.repair()));
        h.orphans().forEach(o -> sb.append("\n  disk '").append(o.disk()).append("': orphan bitmap '")
                .append(o.bitmap()).append("' in ").append(o.nodes()).append("; repair: 'checkpoint-remove-bitmap ")
                .append(o.bitmap()).append("'").append(o.usable() ? " or 'checkpoint-adopt-bitmap " + o.bitmap() + "'" : ""));
        return sb.toString();
    }

    /** Records an orphan bitmap as a root checkpoint over every disk where its chain is usable. */
    CheckpointDef adopt(String bitmap) {
        if (!CheckpointNames.isValid(bitmap)) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.DOMAIN_CHECKPOINT, "bitmap '" + bitmap
                    + "' cannot be adopted: its name is not a valid checkpoint name; remove it instead");
        }
        try (DomainLock lock = ctx.lock()) {
            CheckpointStore store = ctx.checkpoints();
            if (store.load(bitmap).isPresent()) {
                throw new VirtBackupException(ErrorCode.OPERATION_FAILED, ErrorDomain.DOMAIN_CHECKPOINT,
                        "domain moment " + bitmap + " already exists");
            }
            DomainView view = ctx.view();
            List<CheckpointDiskDef> disks = view.graph().disks().stream()
                    .filter(d -> d.hasMedia() && d.bitmapChainProblem(bitmap).isEmpty())
                    .map(d -> CheckpointDiskDef.bitmap(d.name(), bitmap)).toList();
            if (disks.isEmpty()) {
                throw new VirtBackupException(ErrorCode.CHECKPOINT_INCONSISTENT, ErrorDomain.QEMU,
                        "no disk has a usable bitmap '" + bitmap + "' to adopt" + problems(view.graph(), bitmap));
            }
            Instant now = Instant.now();
            CheckpointDef def = CheckpointXml.postParse(CheckpointXml.parse("<domaincheckpoint><name>" + bitmap
                    + "</name><description>adopted orphan bitmap</description></domaincheckpoint>"), now.getEpochSecond());
            CheckpointDef aligned = CheckpointAligner.align(def.withDisks(disks), view.domain())
                    .withParent(Optional.empty());
            store.save(aligned);
            if (store.current().isEmpty()) {
                store.setCurrent(Optional.of(bitmap)); // libvirt's redefine rule for a checkpoint without parent
            }
            LOG.info("domain '{}': adopted orphan bitmap '{}' as checkpoint on disk(s) {}", ctx.name(), bitmap,
                    disks.stream().map(CheckpointDiskDef::name).toList());
            return aligned;
        }
    }

    private static String problems(BlockGraph graph, String bitmap) {
        StringBuilder sb = new StringBuilder();
        for (BlockDisk d : graph.disks()) {
            if (!d.layersWithBitmap(bitmap).isEmpty()) {
                d.bitmapChainProblem(bitmap).ifPresent(p -> sb.append("; disk '").append(d.name()).append("': ").append(p));
            }
        }
        return sb.toString();
    }

    /** Removes bitmap {@code bitmap} from every layer of every disk where no checkpoint claims it. */
    void removeBitmap(String bitmap) {
        try (DomainLock lock = ctx.lock()) {
            Map<String, CheckpointDef> all = ctx.checkpoints().loadAll();
            BlockGraph graph = ctx.view().graph();
            Map<String, String> orphanDisks = new LinkedHashMap<>();
            Set<String> owners = new java.util.TreeSet<>();
            for (BlockDisk d : graph.disks()) {
                if (d.layersWithBitmap(bitmap).isEmpty()) {
                    continue;
                }
                List<String> claimants = claimants(all, d.name(), bitmap);
                if (claimants.isEmpty()) {
                    orphanDisks.put(d.name(), bitmap);
                }
                owners.addAll(claimants);
            }
            if (orphanDisks.isEmpty()) {
                throw owners.isEmpty()
                        ? new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.QEMU,
                                "no disk has a bitmap '" + bitmap + "'")
                        : new VirtBackupException(ErrorCode.OPERATION_INVALID, ErrorDomain.QEMU, "bitmap '" + bitmap
                                + "' belongs to checkpoint(s) " + owners + ": delete the checkpoint instead "
                                + "(checkpoint-delete)");
            }
            new PlanExecutor(ctx.qmp(), Journal.NONE, DomainContext.CREATE_JOB_TIMEOUT)
                    .apply(CheckpointPlanner.planDelete(orphanDisks, graph));
            LOG.info("domain '{}': removed orphan bitmap '{}' from disk(s) {}", ctx.name(), bitmap, orphanDisks.keySet());
        }
    }

    private static List<String> claimants(Map<String, CheckpointDef> all, String disk, String bitmap) {
        return all.values().stream().filter(def -> CheckpointSizer.bitmapByDisk(def).entrySet().stream()
                .anyMatch(e -> e.getKey().equals(disk) && e.getValue().equals(bitmap)))
                .map(def -> def.name().orElseThrow()).toList();
    }
}
