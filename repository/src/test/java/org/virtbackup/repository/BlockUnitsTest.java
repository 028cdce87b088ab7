// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.virtbackup.nbd.Extent;

class BlockUnitsTest {
    private static final long M = 1 << 20;

    @Test
    void rangesAreCutAtUnitsAndTouchWholeBlocks() {
        long size = 10 * M + 4096; // the last unit and block are short
        BlockUnits u = BlockUnits.of(List.of(new Extent(M / 2, 4 * M, ExtentPlan.DATA),
                new Extent(9 * M, M + 4096, ExtentPlan.ZERO)), size);
        assertThat(u.units()).containsExactly(new Extent(0, 4 * M, 0), new Extent(4 * M, 4 * M, 0),
                new Extent(8 * M, 2 * M + 4096, 0));
        assertThat(u.pieces(0)).containsExactly(new Extent(M / 2, 4 * M - M / 2, ExtentPlan.DATA));
        assertThat(u.pieces(4 * M)).containsExactly(new Extent(4 * M, M / 2, ExtentPlan.DATA));
        assertThat(u.touchedBlocks(new Extent(0, 4 * M, 0))).containsExactly(new Extent(0, 4 * M, 0));
        assertThat(u.touchedBlocks(new Extent(4 * M, 4 * M, 0))).containsExactly(new Extent(4 * M, M, 0));
        assertThat(u.touchedBlocks(new Extent(8 * M, 2 * M + 4096, 0))).containsExactly(new Extent(9 * M, M + 4096, 0));
        assertThat(u.bytes()).isEqualTo(5 * M + 4096);
        assertThat(u.pieces(12 * M)).isEmpty();
    }

    @Test
    void aZeroDiskHasTheDigestOfItsZeroBlocksTheLastOneShort() throws Exception {
        assertThat(BlockDigests.blocks(2 * M + 1)).isEqualTo(3);
        MessageDigest outer = MessageDigest.getInstance("SHA-256");
        outer.update(MessageDigest.getInstance("SHA-256").digest(new byte[(int) M]));
        outer.update(MessageDigest.getInstance("SHA-256").digest(new byte[(int) M]));
        outer.update(MessageDigest.getInstance("SHA-256").digest(new byte[1]));
        assertThat(BlockDigests.zeroes(2 * M + 1).total()).isEqualTo(HexFormat.of().formatHex(outer.digest()));
    }
}
