// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure parts only: the benchmark itself runs from ./scripts/benchmark, never in mvn verify. */
class StatsTest {

    @Test
    void medianOfOddAndEvenCountsAndSpread() {
        Stats odd = Stats.of(List.of(3.0, 1.0, 2.0));
        assertThat(odd.median()).isEqualTo(2.0);
        assertThat(odd.min()).isEqualTo(1.0);
        assertThat(odd.max()).isEqualTo(3.0);
        assertThat(odd.spread()).isEqualTo(1.0);
        assertThat(Stats.of(List.of(4.0, 1.0, 2.0, 3.0)).median()).isEqualTo(2.5);
        assertThat(Stats.of(List.of(3.0)).ratio(Stats.of(List.of(1.5)))).isEqualTo(2.0);
        assertThatThrownBy(() -> Stats.of(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void xPerfSpecBecomesTypedJson() {
        assertThat(LibvirtPush.parseXPerf("use-copy-range=true,max-chunk=65536").toString())
                .isEqualTo("{\"use-copy-range\":true,\"max-chunk\":65536}");
        assertThatThrownBy(() -> LibvirtPush.parseXPerf("max-chunk")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void optionsDefaultsAndErrors() {
        Main.Options o = Main.Options.parse(new String[] {"push", "--runs", "7", "--no-xperf"});
        assertThat(o.runs()).isEqualTo(7);
        assertThat(o.sizeMib()).isEqualTo(1024);
        assertThat(o.xPerf()).isEmpty();
        assertThat(Main.Options.parse(new String[] {"push"}).xPerf()).isEqualTo(Main.Options.DEFAULT_XPERF);
        assertThatThrownBy(() -> Main.Options.parse(new String[] {"pull"}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Main.Options.parse(new String[] {"push", "--runs"}))
                .hasMessageContaining("needs a value");
    }
}
