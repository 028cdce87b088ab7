// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.util.List;

/**
 * Order statistics of a few timed runs. With 5 to 10 samples on a shared machine the median is the figure
 * to compare; the spread, {@code (max - min) / median}, says how far to trust it.
 *
 * @param n the number of samples
 * @param median the median (mean of the middle two for an even count)
 * @param min the fastest run
 * @param max the slowest run
 */
record Stats(int n, double median, double min, double max) {
    /** The phase every run reports: from the first command to the last reply. */
    static final String TOTAL = "total";
    /** The phase from the start to the job's completion, before teardown. */
    static final String COPY = "copy";

    Stats {
        if (n < 1) {
            throw new IllegalArgumentException("no samples");
        }
    }

    /**
     * The statistics of {@code samples}.
     *
     * @throws IllegalArgumentException when {@code samples} is empty
     */
    static Stats of(List<Double> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        double[] s = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        return new Stats(n, median, s[0], s[n - 1]);
    }

    /** {@code (max - min) / median}, as a fraction. */
    double spread() {
        return (max - min) / median;
    }

    /** {@code this.median / other.median}: above 1 means slower than {@code other}. */
    double ratio(Stats other) {
        return median / other.median;
    }
}
