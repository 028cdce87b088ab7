// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The demo's summary table: what was done, how much, how fast, and whether it was verified. */
final class DemoReport {

    /**
     * One step.
     *
     * @param step what was done
     * @param disks the disks involved
     * @param bytes bytes copied or read (-1: not applicable)
     * @param time how long it took
     * @param verified whether its result was checked against the point-in-time data (null: nothing to check)
     */
    record Row(String step, String disks, long bytes, Duration time, Boolean verified) {
    }

    private final List<Row> rows = new ArrayList<>();

    void add(Row row) {
        rows.add(row);
    }

    boolean allVerified() {
        return rows.stream().allMatch(r -> r.verified() == null || r.verified());
    }

    void print(PrintWriter out) {
        String fmt = "%-44s %-8s %10s %9s %9s  %s%n";
        out.printf(Locale.ROOT, fmt, "step", "disks", "bytes", "time", "MiB/s", "verified");
        for (Row r : rows) {
            String bytes = r.bytes() < 0 ? "-" : JobInfoFormat.capacity(r.bytes()).replace(".000", "");
            String time = "-";
            String rate = "-";
            if (r.time() != null) {
                double seconds = r.time().toNanos() / 1e9;
                time = String.format(Locale.ROOT, "%.2f s", seconds);
                rate = r.bytes() <= 0 ? "-" : String.format(Locale.ROOT, "%.0f", r.bytes() / 1048576.0 / seconds);
            }
            String ok = r.verified() == null ? "-" : r.verified() ? "yes" : "NO";
            out.printf(Locale.ROOT, fmt, r.step(), r.disks(), bytes, time, rate, ok);
        }
        out.flush();
    }
}
