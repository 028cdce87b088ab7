// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.virtbackup.nbd.Extent;

class ExtentPlanTest {
    private static final int HOLE = 3;
    private static final int ZEROES = 2;
    private static final int DATA = 0;

    private final List<Extent> allocation = List.of(new Extent(0, 100, DATA), new Extent(100, 50, HOLE),
            new Extent(150, 50, ZEROES), new Extent(200, 100, DATA));

    @Test
    void aFullCopiesWhatDoesNotReadAsZeroes() {
        assertThat(ExtentPlan.full(allocation)).containsExactly(new Extent(0, 100, ExtentPlan.DATA),
                new Extent(200, 100, ExtentPlan.DATA));
    }

    @Test
    void anIncrementalWritesEveryDirtyRangeCutIntoDataAndZeroes() {
        List<Extent> dirty = List.of(new Extent(0, 50, 0), new Extent(50, 70, 1), new Extent(120, 60, 0),
                new Extent(180, 40, 1), new Extent(220, 80, 0));
        assertThat(ExtentPlan.incremental(dirty, allocation)).containsExactly(
                new Extent(50, 50, ExtentPlan.DATA), new Extent(100, 20, ExtentPlan.ZERO),
                new Extent(180, 20, ExtentPlan.ZERO), new Extent(200, 20, ExtentPlan.DATA));
        assertThat(ExtentPlan.bytes(ExtentPlan.incremental(dirty, allocation), ExtentPlan.ZERO)).isEqualTo(40);
    }

    @Test
    void nothingDirtyMeansNothingToDo() {
        assertThat(ExtentPlan.incremental(List.of(new Extent(0, 300, 0)), allocation)).isEmpty();
    }
}
