// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Named laps of one timed run, each in seconds since {@link #start()}, in the order taken. */
final class Stopwatch {
    private final long startNanos = System.nanoTime();
    private final Map<String, Double> laps = new LinkedHashMap<>();

    private Stopwatch() {
    }

    static Stopwatch start() {
        return new Stopwatch();
    }

    /** Records the time since start under {@code phase}. */
    Stopwatch lap(String phase) {
        laps.put(phase, (System.nanoTime() - startNanos) / 1e9);
        return this;
    }

    /** Seconds from {@link #start()} to {@code nanoTime}, a {@link System#nanoTime()} taken meanwhile. */
    double at(long nanoTime) {
        return (nanoTime - startNanos) / 1e9;
    }

    /** The laps; a run always ends with {@link Stats#TOTAL}. */
    Map<String, Double> laps() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(laps));
    }
}
