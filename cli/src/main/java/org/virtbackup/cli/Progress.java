// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.JobInfo;

/**
 * Follows a push job until it has finished copying: a progress bar on a terminal, plain lines otherwise.
 * Each look is a short connection of its own ({@code poll}), so that other verbs (domjobinfo, domjobabort)
 * can reach QEMU's single QMP socket while we wait (SPEC §2).
 */
final class Progress {

    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration LINE_EVERY = Duration.ofSeconds(2);

    private Progress() {
    }

    /**
     * Waits while {@code poll} reports a running push job.
     *
     * @param poll the running job's statistics, empty once no job runs (someone ended it)
     */
    static void follow(Supplier<Optional<JobInfo>> poll, PrintWriter err) {
        Optional<JobInfo> first = poll.get();
        if (first.isEmpty() || first.get().mode() == BackupMode.PULL) {
            return; // nothing to wait for; a pull job waits for its reader, not for us
        }
        if (System.console() != null) {
            withBar(poll);
        } else {
            withLines(poll, err);
        }
    }

    private static void withBar(Supplier<Optional<JobInfo>> poll) {
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("backup").setStyle(ProgressBarStyle.ASCII)
                .setUnit(" MiB", 1 << 20).setInitialMax(1).build()) {
            while (true) {
                Optional<JobInfo> info = poll.get();
                if (info.isEmpty()) {
                    return;
                }
                bar.maxHint(Math.max(1, info.get().diskTotal().orElse(1)));
                bar.stepTo(info.get().diskProcessed().orElse(0));
                if (info.get().state().isTerminal()) {
                    return;
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
    private static void withLines(Supplier<Optional<JobInfo>> poll, PrintWriter err) {
        long nextLine = System.nanoTime();
        while (true) {
            Optional<JobInfo> next = poll.get();
            if (next.isEmpty()) {
                return;
            }
            JobInfo info = next.get();
            if (info.state().isTerminal()) {
                err.println(line(info));
                err.flush();
                return;
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
