// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Push full backups of the source by every method, round after round, rotating the order each round so that
 * no method always runs first (or right after the same neighbour). Rounds before {@code warmup} are not
 * counted; round 0 is verified against the source, so no method is timed while producing a broken copy.
 * Targets are deleted after every run, untimed.
 */
final class FullScenario {

    private FullScenario() {
    }

    static List<Series> run(Fixture f, List<PushMethod> methods, int warmup, int runs) throws Exception {
        List<Series> series = new ArrayList<>();
        methods.forEach(m -> series.add(new Series(m.id(), m.description())));
        int n = methods.size();
        for (int round = 0; round < warmup + runs; round++) {
            StringBuilder line = new StringBuilder("  round " + round + (round < warmup ? " (warm-up)" : "") + ":");
            for (int k = 0; k < n; k++) {
                int i = (k + round) % n;
                PushMethod m = methods.get(i);
                Path target = f.dir.resolve("target-" + i + ".qcow2");
                Map<String, Double> laps = m.run(target);
                if (round == 0 && !f.matchesSource(target)) {
                    throw new IllegalStateException("'" + m.description() + "' produced '" + target
                            + "', which differs from the source: not measuring a broken backup");
                }
                if (round >= warmup) {
                    series.get(i).add(laps);
                }
                line.append(String.format(" %s %.3f", m.id(), laps.get(Stats.TOTAL)));
                f.discard(target);
            }
            System.out.println(line);
        }
        return series;
    }
}
