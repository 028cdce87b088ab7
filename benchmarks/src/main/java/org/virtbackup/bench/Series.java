// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** The counted runs of one method or scenario step: each run's laps in seconds. */
final class Series {
    final String id;
    final String description;
    private final List<Map<String, Double>> runs = new ArrayList<>();

    Series(String id, String description) {
        this.id = Objects.requireNonNull(id, "id");
        this.description = Objects.requireNonNull(description, "description");
    }

    void add(Map<String, Double> laps) {
        if (!laps.containsKey(Stats.TOTAL)) {
            throw new IllegalArgumentException("a run without a '" + Stats.TOTAL + "' lap: " + laps);
        }
        runs.add(laps);
    }

    /** The samples of {@code phase}, in run order; empty when no run has it. */
    List<Double> samples(String phase) {
        return runs.stream().map(r -> r.get(phase)).filter(Objects::nonNull).toList();
    }

    /** Whether every run has {@code phase}. */
    boolean has(String phase) {
        return !runs.isEmpty() && samples(phase).size() == runs.size();
    }

    /** Every phase some run has, in the order first seen. */
    List<String> phases() {
        Set<String> p = new LinkedHashSet<>();
        runs.forEach(r -> p.addAll(r.keySet()));
        return List.copyOf(p);
    }

    Stats stats(String phase) {
        return Stats.of(samples(phase));
    }
}
