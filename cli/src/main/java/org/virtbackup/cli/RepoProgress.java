// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.virtbackup.repository.CopyProgress;

/**
 * Shows how far {@code repo backup} has copied each disk: a progress bar per disk on a terminal, else a plain
 * line on stderr every two seconds while a disk copies and when it is done ({@code vda: 42% (13.5 MiB of 32.0 MiB)};
 * nothing for a disk with nothing to copy).
 * Called from the copying threads.
 */
final class RepoProgress implements Consumer<CopyProgress>, AutoCloseable {
    private static final Duration LINE_EVERY = Duration.ofSeconds(2);

    private final PrintWriter err;
    private final boolean bar;
    private ProgressBar current;
    private String disk = "";
    private long nextLine;

    private RepoProgress(PrintWriter err, boolean bar) {
        this.err = err;
        this.bar = bar;
    }

    /** A bar when the process has a terminal, lines on {@code err} otherwise. */
    static RepoProgress of(PrintWriter err) {
        return new RepoProgress(err, System.console() != null);
    }

    @Override
    public synchronized void accept(CopyProgress p) {
        boolean newDisk = !p.disk().equals(disk);
        disk = p.disk();
        if (bar) {
            if (newDisk) {
                endBar();
                current = new ProgressBarBuilder().setTaskName(p.disk()).setStyle(ProgressBarStyle.ASCII)
                        .setUnit(" MiB", 1 << 20).setInitialMax(Math.max(1, p.total())).build();
            }
            current.stepTo(p.done());
        } else if (p.done() > 0 && (p.done() == p.total() || System.nanoTime() - nextLine >= 0)) {
            err.println(line(p));
            err.flush();
            nextLine = System.nanoTime() + LINE_EVERY.toNanos();
        }
    }

    /** {@code vda: 42% (13.500 MiB of 32.000 MiB)}. */
    static String line(CopyProgress p) {
        return String.format(Locale.ROOT, "%s: %d%% (%s of %s)", p.disk(),
                p.total() == 0 ? 100 : p.done() * 100 / p.total(), JobInfoFormat.capacity(p.done()),
                JobInfoFormat.capacity(p.total()));
    }

    @Override
    public synchronized void close() {
        endBar();
    }

    private void endBar() {
        if (current != null) {
            current.close();
            current = null;
            System.err.print('\r'); // as Progress: the bar leaves the cursor where it ended
            System.err.flush();
        }
    }
}
