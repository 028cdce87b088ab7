// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.JobEvent;
import org.virtbackup.api.JobInfo;

/**
 * Follows a push job until it has finished copying: a progress bar on a terminal, plain lines otherwise. The
 * job's events come from the connection's monitor, which lets go of QEMU's single QMP socket every few seconds
 * so that other verbs (domjobinfo, domjobabort) still reach it while we wait (SPEC §2).
 */
final class Progress {

    private static final Duration LINE_EVERY = Duration.ofSeconds(2);
    /** Longer than any backup: the wait ends with the job. */
    private static final Duration FOREVER = Duration.ofDays(365);

    private Progress() {
    }

    /** Waits until {@code job}, a push, has finished (a pull job waits for its reader, not for us). */
    static void follow(BackupJob job, PrintWriter err) {
        if (job.mode() == BackupMode.PULL) {
            return;
        }
        if (System.console() != null) {
            withBar(job);
        } else {
            withLines(job, err);
        }
    }

    private static void withBar(BackupJob job) {
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("backup").setStyle(ProgressBarStyle.ASCII)
                .setUnit(" MiB", 1 << 20).setInitialMax(1).build()) {
            await(job, e -> {
                bar.maxHint(Math.max(1, e.info().diskTotal().orElse(1)));
                bar.stepTo(e.info().diskProcessed().orElse(0));
            });
        } finally {
            // The bar (on System.err) ends by moving the cursor down a line but not back to its start: without
            // this, what is printed next begins where the bar ended.
            System.err.print('\r');
            System.err.flush();
        }
    }

    /** A line every {@link #LINE_EVERY} while the job copies, and one with the final state. */
    private static void withLines(BackupJob job, PrintWriter err) {
        long[] nextLine = {System.nanoTime()};
        await(job, e -> {
            boolean last = e.type() == JobEvent.Type.JOB_COMPLETED;
            if (last || System.nanoTime() - nextLine[0] >= 0) {
                err.println(line(e.info()));
                err.flush();
                nextLine[0] = System.nanoTime() + LINE_EVERY.toNanos();
            }
        });
    }

    private static void await(BackupJob job, Consumer<JobEvent> onEvent) {
        try (AutoCloseable events = job.onEvent(onEvent)) {
            job.awaitCompletion(FOREVER);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop listening to the backup job: " + e, e);
        }
    }

    /** {@code backup: running 42% (13.500 MiB of 32.000 MiB)}, or completed, failed, cancelled. */
    static String line(JobInfo info) {
        long total = info.diskTotal().orElse(0);
        long done = info.diskProcessed().orElse(0);
        return String.format(Locale.ROOT, "backup: %s %d%% (%s of %s)",
                info.state().name().toLowerCase(Locale.ROOT),
                total == 0 ? 0 : done * 100 / total, JobInfoFormat.capacity(done), JobInfoFormat.capacity(total));
    }
}
