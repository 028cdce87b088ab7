// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The results as a text table (medians, min, max, spread, ratios against the references of the same run)
 * and as JSON. Ratios are of medians of {@link Stats#TOTAL}; above 1 means slower than the reference.
 */
final class Report {
    static final String OURS = "ours";
    static final String CONVERT = "qemu-img-convert";
    static final String LIBVIRT = "libvirt-options";
    private static final double MIB = 1 << 20;

    private final Fixture.Source source;
    private final List<Series> full;
    private final List<Series> incremental;

    Report(Fixture.Source source, List<Series> full, List<Series> incremental) {
        this.source = source;
        this.full = List.copyOf(full);
        this.incremental = List.copyOf(incremental);
    }

    void print(PrintStream out) {
        out.printf("%nsource: %d MiB virtual, %.0f MiB data (qemu-img map), %.0f MiB allocated (actual-size)%n",
                source.virtualSize() >> 20, source.dataBytes() / MIB, source.actualSize() / MIB);
        out.println("push full, seconds from the first command until the target is closed:");
        out.printf("%-52s %3s %8s %8s %8s %7s %8s %7s %8s %8s%n", "method", "n", "median", "min", "max", "spread",
                "copy med", "MiB/s", "/convert", "/libvirt");
        Stats convert = find(full, CONVERT).stats(Stats.TOTAL);
        Stats libvirt = find(full, LIBVIRT).stats(Stats.TOTAL);
        for (Series s : full) {
            Stats t = s.stats(Stats.TOTAL);
            out.printf("%-52s %3d %8.3f %8.3f %8.3f %6.0f%% %8s %7.0f %8.2f %8.2f%n", s.description, t.n(), t.median(),
                    t.min(), t.max(), 100 * t.spread(),
                    s.has(Stats.COPY) ? String.format("%.3f", s.stats(Stats.COPY).median()) : "-",
                    source.dataBytes() / MIB / t.median(), t.ratio(convert), t.ratio(libvirt));
        }
        Series ours = find(full, OURS);
        Series libvirtRow = find(full, LIBVIRT);
        // a tiny disk can finish before our listener's first look: then the copy lap is missing
        String copyRatio = ours.has(Stats.COPY) && libvirtRow.has(Stats.COPY)
                ? String.format(" (copy phase only: %.2f)", ours.stats(Stats.COPY).ratio(libvirtRow.stats(Stats.COPY)))
                : "";
        out.printf("ratios (median total): ours / qemu-img convert = %.2f, ours / libvirt options = %.2f%s%n",
                ours.stats(Stats.TOTAL).ratio(convert), ours.stats(Stats.TOTAL).ratio(libvirt), copyRatio);
        if (ours.has(OursPush.SEEN_AFTER_CONCLUDED)) {
            Stats seen = ours.stats(OursPush.SEEN_AFTER_CONCLUDED);
            out.printf("completion seen (ours, a connection waiting): %.1f ms median (max %.1f ms) after QEMU's "
                    + "concluded event%n", 1000 * seen.median(), 1000 * seen.max());
        }
        if (!incremental.isEmpty()) {
            printIncremental(out);
        }
    }

    private void printIncremental(PrintStream out) {
        out.println("incremental scenario (public API), seconds:");
        out.printf("%-52s %3s %8s %8s %8s %7s %8s%n", "step", "n", "median", "min", "max", "spread", "/full");
        Stats base = find(incremental, IncrementalScenario.FULL).stats(Stats.TOTAL);
        for (Series s : incremental) {
            Stats t = s.stats(Stats.TOTAL);
            out.printf("%-52s %3d %8.3f %8.3f %8.3f %6.0f%% %8.3f%n", s.description, t.n(), t.median(), t.min(),
                    t.max(), 100 * t.spread(), t.ratio(base));
        }
    }

    /** Writes the JSON to {@code file} (parents created) and returns it. */
    Path writeJson(Path file, MachineInfo machine, Map<String, Object> config, double elapsedSeconds)
            throws IOException {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("benchmark", "push");
        root.put("elapsedSeconds", round(elapsedSeconds));
        root.set("machine", machine.toJson());
        root.put("loadAverageAtEnd", MachineInfo.currentLoadAverage());
        root.set("config", new ObjectMapper().valueToTree(config));
        ObjectNode src = root.putObject("source");
        src.put("virtualSize", source.virtualSize());
        src.put("dataBytes", source.dataBytes());
        src.put("actualSize", source.actualSize());
        src.set("generated", new ObjectMapper().valueToTree(source.generated()));
        root.set("full", series(full));
        Series ours = find(full, OURS);
        ObjectNode ratios = root.putObject("ratios");
        ratios.put("oursOverQemuImgConvert", round(ours.stats(Stats.TOTAL).ratio(find(full, CONVERT)
                .stats(Stats.TOTAL))));
        ratios.put("oursOverLibvirtOptions", round(ours.stats(Stats.TOTAL).ratio(find(full, LIBVIRT)
                .stats(Stats.TOTAL))));
        if (ours.has(Stats.COPY) && find(full, LIBVIRT).has(Stats.COPY)) {
            ratios.put("oursOverLibvirtOptionsCopyPhase", round(ours.stats(Stats.COPY).ratio(find(full, LIBVIRT)
                    .stats(Stats.COPY))));
        }
        if (ours.has(OursPush.SEEN_AFTER_CONCLUDED)) {
            root.put("completionSeenAfterConcludedMsMedian", round(1000 * ours.stats(OursPush.SEEN_AFTER_CONCLUDED)
                    .median()));
        }
        if (!incremental.isEmpty()) {
            root.set("incremental", series(incremental));
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
        return file;
    }

    /** Each series with the statistics and samples of every phase it has. */
    static ArrayNode series(List<Series> list) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (Series s : list) {
            ObjectNode n = a.addObject();
            n.put("id", s.id);
            n.put("description", s.description);
            ObjectNode stats = n.putObject("stats");
            for (String phase : s.phases()) {
                if (s.has(phase)) {
                    Stats st = s.stats(phase);
                    ObjectNode p = stats.putObject(phase);
                    p.put("median", round(st.median()));
                    p.put("min", round(st.min()));
                    p.put("max", round(st.max()));
                    p.put("spread", round(st.spread()));
                    ArrayNode samples = p.putArray("samples");
                    s.samples(phase).forEach(v -> samples.add(round(v)));
                }
            }
        }
        return a;
    }

    static double round(double v) {
        return Math.round(v * 10000) / 10000.0;
    }

    private static Series find(List<Series> list, String id) {
        return list.stream().filter(s -> s.id.equals(id)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no series '" + id + "'"));
    }
}
