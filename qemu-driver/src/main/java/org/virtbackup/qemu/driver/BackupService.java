// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.stream.Collectors;
import org.virtbackup.api.BackupDryRun;
import org.virtbackup.api.BackupStartFlag;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.exec.Failpoint;
import org.virtbackup.qemu.exec.Journal;
import org.virtbackup.qemu.exec.PlanExecutor;
import org.virtbackup.qemu.plan.BackupLayout;
import org.virtbackup.qemu.plan.BackupPlanner;
import org.virtbackup.qemu.plan.BackupRequest;
import org.virtbackup.qemu.plan.CheckpointRequest;
import org.virtbackup.qemu.plan.Plan;
import org.virtbackup.qemu.plan.PlanJson;
import org.virtbackup.qemu.plan.Qmp;
import org.virtbackup.qemu.plan.Resource;
import org.virtbackup.qemu.plan.Step;
import org.virtbackup.qemu.store.CheckpointStore;
import org.virtbackup.qemu.store.DomainLock;
import org.virtbackup.qemu.qmp.QemuCapabilities;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.store.JobRecord;
import org.virtbackup.qemu.store.JobStore;
import org.virtbackup.xml.BackupAligner;
import org.virtbackup.xml.BackupXml;
import org.virtbackup.xml.CheckpointAligner;
import org.virtbackup.xml.CheckpointXml;
import org.virtbackup.xml.model.BackupDef;
import org.virtbackup.xml.model.CheckpointDef;
import org.virtbackup.xml.model.Transport;

/** Starting a backup job: parse, align, plan, record, execute (SPEC §1 data flow). */
final class BackupService {

    private final DomainContext ctx;
    private final FdGroups fdGroups;

    BackupService(DomainContext ctx) {
        this(ctx, new FdGroups());
    }

    /** A service that can start backups with {@code transport='fd'} from these groups. */
    BackupService(DomainContext ctx, FdGroups fdGroups) {
        this.ctx = ctx;
        this.fdGroups = fdGroups;
    }

    /** Everything computed before QEMU is touched, and the inputs the job's record keeps. */
    private record Prepared(Optional<CheckpointDef> checkpoint, RequestMapper.Mapped mapped, Plan plan,
            JobRecord.Options options, Map<String, Map<String, String>> sourceBitmaps) {
    }

    /** Starts a job, watched by {@code monitor} (the connection's). */
    QemuBackupJob start(String backupXml, String checkpointXml, Set<BackupStartFlag> flags, JobMonitor monitor) {
        Instant now = Instant.now();
        JobStore jobs = ctx.jobs();
        try (DomainLock lock = ctx.lock()) {
            new BackupEnder(ctx).settleLocked(); // a push that completed or failed no longer blocks (libvirt)
            refuseSecondJob(jobs);
            DomainView view = ctx.view();
            QemuCapabilities caps = ctx.capabilities().get();
            Prepared p = prepare(backupXml, checkpointXml, flags, view, now, caps);
            PlanExecutor.refuseExistingFiles(p.plan());
            requirePassing(p.plan(), ctx.qmp());
            List<Resource> created = p.plan().steps().stream().flatMap(s -> s.creates().stream()).toList();
            JobRecord rec = new JobRecord("backup-" + now.toEpochMilli(), p.mapped().request().mode(),
                    JobRecord.Phase.STARTING, now.toEpochMilli(), p.options(), BackupXml.formatInternal(p.mapped().aligned()),
                    p.checkpoint().flatMap(CheckpointDef::name).orElse(null),
                    p.mapped().request().newCheckpoint().map(CheckpointRequest::disks).orElse(List.of()),
                    p.sourceBitmaps(), p.mapped().backingTargets(), view.queryBlock(), view.namedNodes(),
                    view.diskNames(), caps, pausesRunningGuest(p.plan()), created, p.mapped().notes());
            jobs.begin(rec);
            AppliedSteps applied = new AppliedSteps();
            try {
                new PlanExecutor(ctx.qmp(), applied, DomainContext.CREATE_JOB_TIMEOUT, fdGroups::listener)
                        .apply(p.plan());
            } catch (VirtBackupException e) {
                if (e.getSuppressed().length == 0) {
                    jobs.clear(); // the executor rolled back everything the plan had created
                    throw e;
                }
                // Undoing failed too (typically: the QMP socket was lost). The record keeps what may exist, so
                // backupEnd, from any process, finishes the cleanup.
                jobs.update(rec.withCreated(applied.mayExist(p.plan())));
                throw new VirtBackupException(e.code(), e.domain(), e.getMessage() + "; undoing the start failed as "
                        + "well (" + e.getSuppressed()[0].getMessage() + "): the job stays on record until "
                        + "backupEnd (virtbackup backup-end) cleans up", e);
            }
            // Metadata only after QEMU accepted the bitmaps: a crash in between leaves an orphan bitmap, which
            // reconciliation reports, never metadata without a bitmap.
            p.checkpoint().ifPresent(cp -> saveJobCheckpoint(ctx.checkpoints(), cp));
            JobRecord running = rec.started(remaining(p.plan(), created));
            jobs.update(running);
            BackupLayout layout = BackupPlanner.layout(p.mapped().request(), view.graph(), caps);
            ctx.layouts().remember(running, layout);
            return new QemuBackupJob(ctx, monitor, running, layout);
        }
    }

    /** What a start plan leaves behind when it finished: what it created, but the jobs it dismissed. */
    private static List<Resource> remaining(Plan plan, List<Resource> created) {
        Set<String> dismissed = plan.steps().stream().filter(s -> s instanceof Step.DismissJob)
                .map(s -> ((Step.DismissJob) s).jobId()).collect(Collectors.toSet());
        return created.stream().filter(r -> !(r instanceof Resource.Job j && dismissed.contains(j.id()))).toList();
    }

    /** Counts the steps a start applied, for the record of a start whose undo failed. */
    private static final class AppliedSteps implements Journal {
        private int next;

        @Override
        public void beforeStep(int index, Step step) {
            next = index;
        }

        @Override
        public void afterStep(int index, Step step) {
            next = index + 1;
        }

        /** What the applied steps and the failed one may have created (a failed file creation created nothing). */
        List<Resource> mayExist(Plan plan) {
            List<Resource> r = new ArrayList<>();
            for (int i = 0; i <= next && i < plan.steps().size(); i++) {
                Step s = plan.steps().get(i);
                if (i < next || !(s instanceof Step.CreateFile)) {
                    r.addAll(s.creates());
                }
            }
            return r;
        }
    }

    /** Whether the plan pauses the guest and it runs now: an end of a start that dies meanwhile resumes it. */
    private boolean pausesRunningGuest(Plan plan) {
        boolean pauses = plan.steps().stream().anyMatch(s -> s instanceof Step.PauseGuest);
        return pauses && ctx.qmp().execute(Qmp.queryStatus()).path("running").asBoolean(false);
    }

    BackupDryRun dryRun(String backupXml, String checkpointXml, Set<BackupStartFlag> flags) {
        new BackupEnder(ctx).settle();
        refuseSecondJob(ctx.jobs());
        Prepared p = prepare(backupXml, checkpointXml, flags, ctx.view(), Instant.now(), ctx.capabilities().get());
        return new BackupDryRun(BackupXml.format(p.mapped().aligned()), PlanJson.toQmpLines(p.plan()).lines().toList());
    }

    /**
     * Refuses a plan that passes a descriptor ({@link Step.PassFd}: an fd-served pull) on a QMP connection that
     * cannot, before anything touches QEMU: the socket was connected without descriptor passing by a call of this
     * connection that was still running when {@code fdAssociate} came (a connection made after it passes them).
     * A dry run passes nothing and is not refused.
     */
    private static void requirePassing(Plan plan, QmpChannel qmp) {
        if (plan.steps().stream().anyMatch(s -> s instanceof Step.PassFd) && !qmp.passesDescriptors()) {
            throw new VirtBackupException(ErrorCode.OPERATION_FAILED, ErrorDomain.QEMU, "cannot pass the fd group's "
                    + "socket to QEMU now: another call of this connection was using the QMP socket when fdAssociate "
                    + "came, on a connection that passes no file descriptors; start the backup again once that call "
                    + "has returned");
        }
    }

    private static void refuseSecondJob(JobStore jobs) {
        jobs.current().ifPresent(r -> {
            throw new VirtBackupException(ErrorCode.OPERATION_INVALID, ErrorDomain.QEMU,
                    "another backup job is already running (" + r.jobId() + "): end it with backupEnd (backup-end)");
        });
    }

    private Prepared prepare(String backupXml, String checkpointXml, Set<BackupStartFlag> flags, DomainView view,
            Instant now, QemuCapabilities caps) {
        CheckpointStore store = ctx.checkpoints();
        Set<String> known = store.summaries().keySet();
        Optional<CheckpointDef> checkpoint = Optional.ofNullable(checkpointXml)
                .map(x -> newCheckpoint(x, view, known, store.current(), now));
        BackupDef def = BackupXml.parse(backupXml);
        String suffix = checkpoint.flatMap(CheckpointDef::name).orElse(Long.toString(now.getEpochSecond()));
        BackupDef aligned = BackupAligner.align(def, view.domain(), suffix, known::contains);
        aligned.server().filter(s -> s.transport() == Transport.FD)
                .ifPresent(s -> fdGroups.require(s.fdgroup().orElseThrow()));
        JobRecord.Options options = new JobRecord.Options(flags.contains(BackupStartFlag.REUSE_EXTERNAL),
                flags.contains(BackupStartFlag.INCREMENTAL_FALLBACK_FULL), ctx.tlsDir().orElse(null), ctx.speedLimit(),
                ctx.copyRange(), ctx.pullMethod(), flags.contains(BackupStartFlag.PRESERVE_ON_GUEST_SHUTDOWN));
        Map<String, Map<String, String>> sourceBitmaps = new LinkedHashMap<>();
        RequestMapper.Mapped mapped = RequestMapper.map(aligned, checkpoint.map(RequestMapper::checkpointRequest),
                mapperOptions(options), view.graph(),
                cp -> sourceBitmaps.computeIfAbsent(cp, c -> store.load(c).map(RequestMapper::bitmaps).orElse(Map.of())),
                ctx.jobs()::targetsOf);
        refuseWhatNeedsAGuest(mapped.request());
        Plan plan = BackupPlanner.planStart(mapped.request(), view.graph(), caps);
        return new Prepared(checkpoint, mapped, plan, options, sourceBitmaps);
    }

    /** On a stopped domain ({@link Host#STORAGE_DAEMON}) there is no guest to pause or to watch shutting down. */
    private void refuseWhatNeedsAGuest(BackupRequest request) {
        if (ctx.host().hasGuest()) {
            return;
        }
        if (request.preserveOnShutdown()) {
            throw new VirtBackupException(ErrorCode.OPERATION_INVALID, ErrorDomain.QEMU, "flag "
                    + "PRESERVE_ON_GUEST_SHUTDOWN needs a running guest, and domain '" + ctx.name() + "' is stopped "
                    + "(offline backup on qemu-storage-daemon): start the backup without it");
        }
        if (request.cbw()) {
            throw new VirtBackupException(ErrorCode.OPERATION_UNSUPPORTED, ErrorDomain.QEMU, "pull method 'cbw' "
                    + "pauses the guest to insert its filter, and domain '" + ctx.name() + "' is stopped (offline "
                    + "backup on qemu-storage-daemon): use pullMethod=fleecing");
        }
    }

    private static RequestMapper.Options mapperOptions(JobRecord.Options o) {
        return new RequestMapper.Options(o.reuseExternal(), o.fallbackFull(), o.tls(), true, o.speedLimit(),
                o.copyRange(), o.pullMethod(), o.preserveOnShutdown());
    }

    /** libvirt's checkpoint create steps before QEMU: post-parse, align, duplicate check, parent = current. */
    static CheckpointDef newCheckpoint(String xml, DomainView view, Set<String> known, Optional<String> current,
            Instant now) {
        CheckpointDef def = CheckpointXml.postParse(CheckpointXml.parse(xml), now.getEpochSecond());
        String name = def.name().orElseThrow();
        if (known.contains(name)) {
            throw new VirtBackupException(ErrorCode.OPERATION_FAILED, ErrorDomain.DOMAIN_CHECKPOINT,
                    "domain moment " + name + " already exists");
        }
        return CheckpointAligner.align(def, view.domain()).withParent(current);
    }

    /** The metadata of a checkpoint that {@code checkpointCreate} made: durable at once. */
    static void saveNewCheckpoint(CheckpointStore store, CheckpointDef cp) {
        Failpoint.at("checkpoint-create", 0);
        store.save(cp);
        Failpoint.at("checkpoint-create", 1);
        store.setCurrent(cp.name());
    }

    /**
     * The metadata of a checkpoint a backup job made, written without fsync while QEMU copies (an fsync then
     * waits for the copy's dirty data too); the end that keeps it makes it durable ({@link BackupEnder}). See
     * {@link CheckpointStore#saveUnsynced} for why a machine crash in between loses nothing.
     */
    private static void saveJobCheckpoint(CheckpointStore store, CheckpointDef cp) {
        Failpoint.at("checkpoint-create", 0);
        store.saveUnsynced(cp);
        Failpoint.at("checkpoint-create", 1);
        store.setCurrentUnsynced(cp.name().orElseThrow());
    }

    /**
     * The layout a job was started with, recomputed from its record alone (the planner is pure): no QEMU is
     * needed, and nothing comes from the settings of the connection that looks.
     */
    static BackupLayout layoutOf(JobRecord rec, String domainName) {
        BackupDef aligned = BackupXml.parseInternal(rec.alignedXml());
        DomainView start = DomainView.of(rec.queryBlock(), rec.namedNodes(), domainName, rec.diskNames());
        Optional<CheckpointRequest> cp = rec.newCheckpoint().map(n -> new CheckpointRequest(n, rec.checkpointDisks()));
        RequestMapper.Mapped mapped = RequestMapper.map(aligned, cp, mapperOptions(rec.options()), start.graph(),
                c -> rec.sourceBitmaps().getOrDefault(c, Map.of()), c -> rec.backingTargets());
        return BackupPlanner.layout(mapped.request(), start.graph(), rec.capabilities());
    }

    static VirtBackupException noBackup() {
        return new VirtBackupException(ErrorCode.NO_DOMAIN_BACKUP, ErrorDomain.QEMU, "no domain backup job present");
    }

    /** The aligned XML of the running job, as {@code virDomainBackupGetXMLDesc} shows it. */
    String xmlDesc() {
        JobRecord rec = ctx.jobs().current().orElseThrow(BackupService::noBackup);
        return BackupXml.format(BackupXml.parseInternal(rec.alignedXml()));
    }

}
