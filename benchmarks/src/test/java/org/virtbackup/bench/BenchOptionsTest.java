// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Option parsing of the scenario benchmarks and the JMH command line; nothing here needs QEMU. */
class BenchOptionsTest {
    private static final Map<String, String> DEFAULTS = Map.of("disks", "1,4,16", "runs", "5", "results", "r");

    @Test
    void defaultsOverridesAndLists() {
        BenchOptions o = BenchOptions.parse(new String[] {"orchestration", "--runs", "7"}, DEFAULTS);
        assertThat(o.benchmark()).isEqualTo("orchestration");
        assertThat(o.integer("runs", 1)).isEqualTo(7);
        assertThat(o.integers("disks", 1)).containsExactly(1, 4, 16);
        assertThat(BenchOptions.parse(new String[] {"x", "--disks", " 2, 3"}, DEFAULTS).integers("disks", 1))
                .containsExactly(2, 3);
    }

    @Test
    void badOptionsAreRefusedWithTheirName() {
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"x", "--bogus", "1"}, DEFAULTS))
                .hasMessage("unknown option '--bogus'");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"x", "--runs"}, DEFAULTS))
                .hasMessage("option '--runs' needs a value");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"x", "--runs", "0"}, DEFAULTS).integer("runs", 1))
                .hasMessage("option '--runs' must be at least 1");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"x", "--disks", "1,a"}, DEFAULTS)
                .integers("disks", 1)).hasMessageContaining("numbers separated by commas");
    }

    @Test
    void xmlWritesJsonToTheResultsUnlessToldOtherwise() {
        LocalDateTime t = LocalDateTime.of(2026, 11, 22, 6, 5, 4);
        assertThat(XmlBench.jmhArgs(new String[] {"xml", "-i", "5"}, t)).isEqualTo(List.of("-i", "5", "-rf", "json",
                "-rff", "benchmarks/results/xml-20261122-060504.json", XmlBench.class.getName()));
        assertThat(XmlBench.jmhArgs(new String[] {"xml", "-rf", "csv"}, t)).containsExactly("-rf", "csv",
                XmlBench.class.getName());
    }

    @Test
    void seriesKnowTheirPhasesInOrder() {
        Series s = new Series("id", "d");
        s.add(Map.of(Stats.TOTAL, 2.0));
        s.add(new java.util.LinkedHashMap<>(Map.of("start", 1.0, Stats.TOTAL, 3.0)));
        assertThat(s.phases()).contains("start", Stats.TOTAL).hasSize(2);
        assertThat(s.has("start")).isFalse();
        assertThat(s.stats(Stats.TOTAL).median()).isEqualTo(2.5);
    }
}
