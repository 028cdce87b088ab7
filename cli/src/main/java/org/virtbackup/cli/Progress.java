// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.JobInfo;

/** Follows a push job until it has finished copying: a progress bar on a terminal, plain lines otherwise. */
final class Progress {

    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration LINE_EVERY = Duration.ofSeconds(2);

    private Progress() {
    }

    static JobInfo follow(BackupJob job, PrintWriter err) {
        if (job.mode() == BackupMode.PULL) {
            return job.info(); // a pull job waits for its reader, not for us
        }
        return System.console() != null ? withBar(job) : withLines(job, err);
    }

    private static JobInfo withBar(BackupJob job) {
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("backup").setStyle(ProgressBarStyle.ASCII)
                .setUnit(" MiB", 1 << 20).setInitialMax(1).build()) {
            while (true) {
                JobInfo info = job.info();
                bar.maxHint(Math.max(1, info.diskTotal().orElse(1)));
                bar.stepTo(info.diskProcessed().orElse(0));
                if (info.state().isTerminal()) {
                    return info;
                }
                sleep();
            }
        } finally {
            // The bar (on System.err) ends by moving the cursor down a line but not back to its start: without
            // this, what is printed next begins where the bar ended.
            System.err.print('\r');
            System.err.flush();
        }
    }

    /** A line every {@link #LINE_EVERY} while the job copies, and one with the final state. */
    private static JobInfo withLines(BackupJob job, PrintWriter err) {
        long nextLine = System.nanoTime();
        while (true) {
            JobInfo info = job.info();
            if (info.state().isTerminal()) {
                err.println(line(info));
                err.flush();
                return info;
            }
            if (System.nanoTime() - nextLine >= 0) {
                err.println(line(info));
                err.flush();
                nextLine = System.nanoTime() + LINE_EVERY.toNanos();
            }
            sleep();
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

    private static void sleep() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the backup job", e);
        }
    }
}
