// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.virtbackup.api.BackupDryRun;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.BackupStartFlag;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.exec.Failpoint;
import org.virtbackup.qemu.exec.PlanExecutor;
import org.virtbackup.qemu.plan.BackupLayout;
import org.virtbackup.qemu.plan.BackupPlanner;
import org.virtbackup.qemu.plan.CheckpointRequest;
import org.virtbackup.qemu.plan.Plan;
import org.virtbackup.qemu.plan.PlanJson;
import org.virtbackup.qemu.plan.PullMethod;
import org.virtbackup.qemu.plan.Qmp;
import org.virtbackup.qemu.plan.Step;
import org.virtbackup.qemu.store.CheckpointStore;
import org.virtbackup.qemu.store.DomainLock;
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

    /** Everything computed before QEMU is touched. */
    private record Prepared(Optional<CheckpointDef> checkpoint, RequestMapper.Mapped mapped, Plan plan) {
    }

    QemuBackupJob start(String backupXml, String checkpointXml, Set<BackupStartFlag> flags) {
        Instant now = Instant.now();
        JobStore jobs = ctx.jobs();
        try (DomainLock lock = ctx.lock()) {
            refuseSecondJob(jobs);
            DomainView view = ctx.view();
            Prepared p = prepare(backupXml, checkpointXml, flags, view, now);
            JobRecord rec = new JobRecord("backup-" + now.toEpochMilli(), p.mapped().request().mode().name().toLowerCase(),
                    now.toEpochMilli(), flags.stream().map(Enum::name).toList(), BackupXml.formatInternal(p.mapped().aligned()),
                    p.checkpoint().flatMap(CheckpointDef::name).orElse(null),
                    p.mapped().request().newCheckpoint().map(CheckpointRequest::disks).orElse(List.of()),
                    p.mapped().backingTargets(), view.queryBlock(), view.namedNodes(), JobRecord.STARTING, guestMark(p.plan()),
                    p.mapped().notes(), view.diskNames());
            jobs.save(rec);
            RecordJournal journal = new RecordJournal(jobs, rec);
            try {
                new PlanExecutor(ctx.qmp(), journal, DomainContext.CREATE_JOB_TIMEOUT, fdGroups::listener)
                        .apply(p.plan());
            } catch (VirtBackupException e) {
                if (e.getSuppressed().length == 0) {
                    jobs.clear(); // the executor rolled back everything the plan had created
                    throw e;
                }
                // Undoing failed too (typically: the QMP socket was lost). The record lists what was created,
                // so it stays: backupEnd, from any process, finishes the cleanup.
                throw new VirtBackupException(e.code(), e.domain(), e.getMessage() + "; undoing the start failed as "
                        + "well (" + e.getSuppressed()[0].getMessage() + "): the job stays on record until "
                        + "backupEnd (virtbackup backup-end) cleans up", e);
            }
            // Metadata only after QEMU accepted the bitmaps: a crash in between leaves an orphan bitmap, which
            // reconciliation reports, never metadata without a bitmap.
            p.checkpoint().ifPresent(cp -> saveNewCheckpoint(ctx.checkpoints(), cp));
            JobRecord running = journal.record().started();
            jobs.save(running);
            return new QemuBackupJob(ctx, running);
        }
    }

    /** {@link JobRecord#guestWasRunning()} when the plan pauses the guest and it runs now. */
    private List<com.fasterxml.jackson.databind.JsonNode> guestMark(Plan plan) {
        boolean pauses = plan.steps().stream().anyMatch(s -> s instanceof Step.PauseGuest);
        if (pauses && ctx.qmp().execute(Qmp.queryStatus()).path("running").asBoolean(false)) {
            return List.of(JobRecord.guestWasRunning());
        }
        return List.of();
    }

    BackupDryRun dryRun(String backupXml, String checkpointXml, Set<BackupStartFlag> flags) {
        refuseSecondJob(ctx.jobs());
        Prepared p = prepare(backupXml, checkpointXml, flags, ctx.view(), Instant.now());
        return new BackupDryRun(BackupXml.format(p.mapped().aligned()), PlanJson.toQmpLines(p.plan()).lines().toList());
    }

    private static void refuseSecondJob(JobStore jobs) {
        jobs.current().ifPresent(r -> {
            throw new VirtBackupException(ErrorCode.OPERATION_INVALID, ErrorDomain.QEMU,
                    "another backup job is already running (" + r.jobId() + "): end it with backupEnd (backup-end)");
        });
    }

    private Prepared prepare(String backupXml, String checkpointXml, Set<BackupStartFlag> flags, DomainView view,
            Instant now) {
        CheckpointStore store = ctx.checkpoints();
        Set<String> known = store.loadAll().keySet();
        Optional<CheckpointDef> checkpoint = Optional.ofNullable(checkpointXml)
                .map(x -> newCheckpoint(x, view, known, store.current(), now));
        BackupDef def = BackupXml.parse(backupXml);
        String suffix = checkpoint.flatMap(CheckpointDef::name).orElse(Long.toString(now.getEpochSecond()));
        BackupDef aligned = BackupAligner.align(def, view.domain(), suffix, known::contains);
        aligned.server().filter(s -> s.transport() == Transport.FD)
                .ifPresent(s -> fdGroups.require(s.fdgroup().orElseThrow()));
        RequestMapper.Options options = new RequestMapper.Options(flags.contains(BackupStartFlag.REUSE_EXTERNAL),
                flags.contains(BackupStartFlag.INCREMENTAL_FALLBACK_FULL), ctx.tlsDir(), true, ctx.speedLimit(), ctx.copyRange(),
                ctx.pullMethod());
        RequestMapper.Mapped mapped = RequestMapper.map(aligned, checkpoint.map(RequestMapper::checkpointRequest),
                options, view.graph(), bitmapsIn(store), ctx.jobs()::targetsOf);
        Plan plan = BackupPlanner.planStart(mapped.request(), view.graph(), ctx.capabilities().get());
        return new Prepared(checkpoint, mapped, plan);
    }

    /** The bitmaps of a stored checkpoint by disk; none for an unknown one (alignment has refused it already). */
    private static Function<String, Map<String, String>> bitmapsIn(CheckpointStore store) {
        return cp -> store.load(cp).map(RequestMapper::bitmaps).orElse(Map.of());
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

    static void saveNewCheckpoint(CheckpointStore store, CheckpointDef cp) {
        Failpoint.at("checkpoint-create", 0);
        store.save(cp);
        Failpoint.at("checkpoint-create", 1);
        store.setCurrent(cp.name());
    }

    /** The layout a running job was started with, recomputed from its record (the planner is pure). */
    static BackupLayout layoutOf(JobRecord rec, DomainContext ctx) {
        BackupDef aligned = BackupXml.parseInternal(rec.alignedXml());
        DomainView start = DomainView.of(rec.queryBlock(), rec.namedNodes(), ctx.name(), rec.diskNames());
        Optional<CheckpointRequest> cp = Optional.ofNullable(rec.checkpoint())
                .map(n -> new CheckpointRequest(n, rec.checkpointDisks()));
        RequestMapper.Options options = new RequestMapper.Options(rec.flags().contains(BackupStartFlag.REUSE_EXTERNAL.name()),
                false, ctx.tlsDir(), true, ctx.speedLimit(), ctx.copyRange(), pullMethodOf(rec));
        RequestMapper.Mapped mapped = RequestMapper.map(aligned, cp, options, start.graph(), bitmapsIn(ctx.checkpoints()),
                c -> rec.backingTargets());
        return BackupPlanner.layout(mapped.request(), start.graph(), ctx.capabilities().get());
    }

    /**
     * The pull method a job was started with, whatever this connection's option says: a copy-before-write
     * pull names everything it creates {@code <prefix>-<disk>-cbw...}.
     */
    static PullMethod pullMethodOf(JobRecord rec) {
        boolean cbw = rec.created().stream().flatMap(n -> java.util.stream.Stream.of(n.path("node"), n.path("job")))
                .anyMatch(v -> v.asText("").matches(".*-cbw(-.*)?"));
        return cbw ? PullMethod.CBW : PullMethod.FLEECING;
    }

    static Duration elapsed(JobRecord rec) {
        return Duration.ofMillis(Math.max(0, System.currentTimeMillis() - rec.startedAtMillis()));
    }

    static BackupMode mode(JobRecord rec) {
        return BackupMode.valueOf(rec.mode().toUpperCase());
    }

    static VirtBackupException noBackup() {
        return new VirtBackupException(ErrorCode.NO_DOMAIN_BACKUP, ErrorDomain.QEMU, "no domain backup job present");
    }

    /** The aligned XML of the running job, as {@code virDomainBackupGetXMLDesc} shows it. */
    String xmlDesc() {
        JobRecord rec = ctx.jobs().current().orElseThrow(BackupService::noBackup);
        return BackupXml.format(BackupXml.parseInternal(rec.alignedXml()));
    }

    /** The running job, or the last one's statistics. */
    JobInfo jobInfo(boolean completed) {
        if (completed) {
            return ctx.jobs().last().map(JobInfos::fromParams).orElse(JobInfos.none());
        }
        return ctx.jobs().current().map(r -> new QemuBackupJob(ctx, r).info()).orElse(JobInfos.none());
    }
}
