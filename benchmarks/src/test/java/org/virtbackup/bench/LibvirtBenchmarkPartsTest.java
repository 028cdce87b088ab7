// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure parts of {@code benchmark libvirt}: where the guest writes, the XML, the ratios and the goals. */
class LibvirtBenchmarkPartsTest {
    private static final long MIB = 1 << 20;

    @Test
    void twoPercentOfAGibIsTwentyOneWritesSpreadOverTheDisk() {
        List<Long> offsets = GuestWrites.offsets(1024 * MIB, 2, MIB);
        assertThat(offsets).hasSize(21); // ceil(20.48)
        assertThat(offsets.get(0)).isZero();
        assertThat(offsets).allSatisfy(o -> assertThat(o % MIB).isZero());
        assertThat(offsets.get(20) + MIB).isLessThanOrEqualTo(1024 * MIB);
        assertThat(offsets.get(1) - offsets.get(0)).isEqualTo(48 * MIB); // 1024 / 21 rounded down to MiB
        assertThat(GuestWrites.offsets(4 * MIB, 0.1, MIB)).containsExactly(0L);
        assertThat(GuestWrites.offsets(4 * MIB, 100, MIB)).containsExactly(0L, MIB, 2 * MIB, 3 * MIB);
        assertThatThrownBy(() -> GuestWrites.offsets(MIB / 2, 100, MIB)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GuestWrites.offsets(MIB, 0, MIB)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pushAndPullXmlNameEveryDiskWithItsFile() {
        Path dir = Path.of("/w");
        assertThat(LibvirtSteps.pushXml(dir, "r1-inc", List.of("vda", "vdb"), "cp")).isEqualTo(
                "<domainbackup mode='push'><incremental>cp</incremental><disks>"
                        + "<disk name='vda' type='file'><target file='/w/r1-inc-vda.qcow2'/>"
                        + "<driver type='qcow2'/></disk>"
                        + "<disk name='vdb' type='file'><target file='/w/r1-inc-vdb.qcow2'/>"
                        + "<driver type='qcow2'/></disk>"
                        + "</disks></domainbackup>");
        assertThat(LibvirtSteps.pushXml(dir, "f", List.of("vda"), null)).doesNotContain("incremental");
        assertThat(LibvirtSteps.pullXml(dir, "p", List.of("vda"))).isEqualTo(
                "<domainbackup mode='pull'><server transport='unix' socket='/w/p.sock'/><disks>"
                        + "<disk name='vda' type='file'><scratch file='/w/p-vda.scr'/></disk></disks></domainbackup>");
    }

    @Test
    void goalsCompareTimesDownwardAndThroughputUpward() {
        Stats fast = Stats.of(List.of(1.0));
        Stats slow = Stats.of(List.of(4.0));
        LibvirtGoal time = new LibvirtGoal("t", LibvirtSteps.PUSH_FULL, LibvirtSteps.START, 0.5, false);
        assertThat(time.ratio(fast, slow)).isEqualTo(0.25);
        assertThat(time.met(0.25)).isTrue();
        assertThat(time.met(0.6)).isFalse();
        LibvirtGoal throughput = new LibvirtGoal("p", LibvirtSteps.PUSH_FULL, Stats.TOTAL, 1.3, true);
        assertThat(throughput.ratio(fast, slow)).isEqualTo(4.0);
        assertThat(throughput.met(4.0)).isTrue();
        assertThat(throughput.met(throughput.ratio(slow, fast))).isFalse();
        assertThat(LibvirtGoal.of(2, 100)).extracting(LibvirtGoal::text).containsExactly(
                "backupStart of 2 disks <= 0.5x libvirt's", "push full throughput >= 1.3x libvirt's",
                "checkpoint create <= 0.5x libvirt's", "checkpoint list of 100 <= 0.2x libvirt's");
    }

    @Test
    void theReportGivesRatiosAgainstLibvirtJavaThroughputsAndGoals() {
        LibvirtReport r = new LibvirtReport(2048 * MIB, LibvirtGoal.of(2, 100));
        Map<String, double[]> totals = Map.of(LibvirtReport.OURS, new double[] {0.010, 2.0, 0.001, 0.0001},
                LibvirtReport.DRIVER, new double[] {0.042, 4.1, 0.004, 0.0021},
                LibvirtReport.LIBVIRT, new double[] {0.040, 4.0, 0.004, 0.0020});
        totals.forEach((side, t) -> {
            for (String step : LibvirtSteps.ALL) {
                double total = switch (step) {
                    case LibvirtSteps.PUSH_FULL -> t[1];
                    case LibvirtSteps.CHECKPOINT_CREATE -> t[2];
                    case LibvirtSteps.CHECKPOINT_LIST -> t[3];
                    default -> 1.0;
                };
                r.add(step, side, step.equals(LibvirtSteps.PUSH_FULL)
                        ? Map.of(LibvirtSteps.START, t[0], Stats.TOTAL, total) : Map.of(Stats.TOTAL, total));
            }
        });
        assertThat(r.ratio(LibvirtSteps.PUSH_FULL, LibvirtSteps.START, LibvirtReport.OURS, LibvirtReport.LIBVIRT))
                .isCloseTo(0.25, within(1e-9));
        assertThat(r.ratio(LibvirtSteps.PUSH_FULL, Stats.TOTAL, LibvirtReport.DRIVER, LibvirtReport.LIBVIRT))
                .isCloseTo(1.025, within(1e-9));
        assertThat(r.pushThroughput(LibvirtReport.OURS)).isCloseTo(1024, within(1e-9));
        assertThat(r.goalRatios()).satisfiesExactly(
                v -> assertThat(v).isCloseTo(0.25, within(1e-9)),
                v -> assertThat(v).isCloseTo(2.0, within(1e-9)),
                v -> assertThat(v).isCloseTo(0.25, within(1e-9)),
                v -> assertThat(v).isCloseTo(0.05, within(1e-9)));
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        r.print(new PrintStream(text, true, StandardCharsets.UTF_8));
        assertThat(text.toString(StandardCharsets.UTF_8)).contains("push full throughput, MiB/s of virtual size: "
                + "ours 1024, libvirt-driver 500, libvirt-java 512").doesNotContain("NOT reached");
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        r.toJson(json);
        assertThat(json.path("goals")).hasSize(4).allSatisfy(g -> assertThat(g.path("reached").asBoolean()).isTrue());
        assertThat(json.path("ratios").path("push full start: ours/libvirt-java").asDouble()).isEqualTo(0.25);
        assertThatThrownBy(() -> r.add("nope", LibvirtReport.OURS, Map.of(Stats.TOTAL, 1.0)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
