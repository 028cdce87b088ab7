// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.exec;

import java.io.FileDescriptor;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.plan.Plan;
import org.virtbackup.qemu.plan.Step;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpEventListener;

/**
 * Runs plans. One instance per plan run is cheap; it holds no state between runs.
 */
public final class PlanExecutor {

    private static final Logger LOG = LoggerFactory.getLogger(PlanExecutor.class);

    private final QmpChannel qmp;
    private final Journal journal;
    private final Duration jobTimeout;
    private final Function<String, Optional<FileDescriptor>> fdGroups;

    /**
     * @param qmp the connected channel
     * @param journal where progress is recorded
     * @param jobTimeout how long an {@link Step.AwaitJob} may wait
     */
    public PlanExecutor(QmpChannel qmp, Journal journal, Duration jobTimeout) {
        this(qmp, journal, jobTimeout, group -> Optional.empty());
    }

    /**
     * An executor that can run {@link Step.PassFd}.
     *
     * @param fdGroups the descriptor of an fd group the caller associated with the domain, by group name
     */
    public PlanExecutor(QmpChannel qmp, Journal journal, Duration jobTimeout,
            Function<String, Optional<FileDescriptor>> fdGroups) {
        this.qmp = Objects.requireNonNull(qmp, "qmp");
        this.journal = Objects.requireNonNull(journal, "journal");
        this.jobTimeout = Objects.requireNonNull(jobTimeout, "jobTimeout");
        this.fdGroups = Objects.requireNonNull(fdGroups, "fdGroups");
    }

    /** What a run found out: the final {@code query-jobs} entry of every awaited job. */
    public record Outcome(Map<String, JobResult> jobs) {
        public Outcome {
            jobs = Map.copyOf(jobs);
        }
    }

    /**
     * Runs a plan. A START plan stops at the first failure and rolls back what it applied; a TEARDOWN plan
     * runs every step and then reports its first failure.
     *
     * @throws VirtBackupException the first failure, with rollback or later teardown failures suppressed
     */
    public Outcome apply(Plan plan) {
        return apply(plan, Map.of());
    }

    /**
     * {@link #apply(Plan)}, knowing what a {@code query-jobs} the caller sent just before said about some jobs:
     * an end that judged the job from a look need not ask again before cancelling or awaiting its jobs.
     */
    public Outcome apply(Plan plan, Map<String, JobResult> lookedAt) {
        // Subscribe before any step runs: a create job can conclude before the await step looks for it.
        try (QmpEventListener events = qmp.listen(Set.of("JOB_STATUS_CHANGE"), null)) {
            StepRunner runner = new StepRunner(qmp, events, jobTimeout, fdGroups, lookedAt);
            return plan.kind() == Plan.Kind.START ? applyStart(plan, runner) : applyTeardown(plan, runner);
        }
    }

    private Outcome applyStart(Plan plan, StepRunner runner) {
        List<Step> steps = plan.steps();
        for (int i = 0; i < steps.size(); i++) {
            try {
                journal.beforeStep(i, steps.get(i));
                Failpoint.before(plan.kind(), i);
                runner.run(steps.get(i));
                Failpoint.after(plan.kind(), i);
                journal.afterStep(i, steps.get(i));
            } catch (RuntimeException e) {
                VirtBackupException first = toPublic(e);
                // Only applied steps are undone: a failed step applied nothing (a QMP command or transaction is
                // all-or-nothing; an O_EXCL create that failed must not delete the file that was in its way).
                rollback(plan.rollback(i), runner, first);
                throw first;
            }
        }
        return new Outcome(runner.jobs());
    }

    private Outcome applyTeardown(Plan plan, StepRunner runner) {
        VirtBackupException first = null;
        List<Step> steps = plan.steps();
        for (int i = 0; i < steps.size(); i++) {
            try {
                journal.beforeStep(i, steps.get(i));
                Failpoint.before(plan.kind(), i);
                // Teardown is idempotent: what another process or a crash already removed is not an error.
                runner.runUndo(steps.get(i));
                Failpoint.after(plan.kind(), i);
                journal.afterStep(i, steps.get(i));
            } catch (RuntimeException e) {
                LOG.warn("teardown step {} failed: {}", i, e.getMessage());
                if (first == null) {
                    first = toPublic(e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
        return new Outcome(runner.jobs());
    }

    private static void rollback(List<Step> undo, StepRunner runner, VirtBackupException first) {
        for (Step s : undo) {
            try {
                runner.runUndo(s);
            } catch (RuntimeException e) {
                LOG.warn("rollback step failed: {}", e.getMessage());
                first.addSuppressed(e);
            }
        }
    }

    /**
     * Refuses a plan that would create a file that exists already, before anything runs: a start records the
     * files it will create before it runs, and an end deletes what the record lists, so a file in the way must
     * never get on record. (The creation itself stays exclusive: a file that appears meanwhile fails it.)
     */
    public static void refuseExistingFiles(Plan plan) {
        for (Step s : plan.steps()) {
            if (s instanceof Step.CreateFile f && Files.exists(Path.of(f.path()), LinkOption.NOFOLLOW_LINKS)) {
                throw StepRunner.exists(Path.of(f.path()), null);
            }
        }
    }

    static VirtBackupException toPublic(RuntimeException e) {
        if (e instanceof VirtBackupException v) {
            return v;
        }
        if (e instanceof org.virtbackup.qemu.qmp.QmpException q) {
            return q.toVirtBackupException();
        }
        return new VirtBackupException(ErrorCode.INTERNAL_ERROR, ErrorDomain.QEMU, "unexpected failure: " + e, e);
    }

}
