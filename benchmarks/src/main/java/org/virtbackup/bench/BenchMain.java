// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * What the scenario benchmarks share: option parsing with a usage message (exit 2), the machine probe, the
 * QEMU fixtures closed on every exit path including Ctrl-C (exit 1 on a failure), and the JSON result file
 * {@code <results>/<benchmark>-<date>.json} with the machine, the options, the load and the elapsed time.
 */
final class BenchMain {

    /** The body of a benchmark. */
    interface Body {
        void run(BenchOptions options, Out out) throws Exception;
    }

    /** What a running benchmark registers and writes. */
    static final class Out {
        private final BenchOptions options;
        private final MachineInfo machine;
        private final long t0 = System.nanoTime();
        private final List<AutoCloseable> open = new ArrayList<>();

        private Out(BenchOptions options, MachineInfo machine) {
            this.options = options;
            this.machine = machine;
        }

        /** Closes {@code c} when the JVM exits, unless {@link #untrack} closed it before. */
        synchronized <T extends AutoCloseable> T track(T c) {
            open.add(c);
            return c;
        }

        /** Closes {@code c} now. */
        void untrack(AutoCloseable c) throws Exception {
            synchronized (this) {
                open.remove(c);
            }
            c.close();
        }

        private synchronized void closeAll() {
            for (AutoCloseable c : open) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("warning: cleanup failed: " + e);
                }
            }
            open.clear();
        }

        /** Writes the result file: the common header, then what {@code body} adds; returns its path. */
        Path write(String benchmark, Consumer<ObjectNode> body) throws IOException {
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            root.put("benchmark", benchmark);
            root.put("elapsedSeconds", Report.round((System.nanoTime() - t0) / 1e9));
            root.set("machine", machine.toJson());
            root.put("loadAverageAtEnd", MachineInfo.currentLoadAverage());
            root.set("config", new ObjectMapper().valueToTree(new TreeMap<>(options.asMap())));
            body.accept(root);
            Path file = options.path("results").resolve(benchmark + "-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".json");
            Files.createDirectories(file.toAbsolutePath().getParent());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
            System.out.printf("%nresults: %s (%.0f s, load %s; QEMU stopped, temporary files removed)%n",
                    file.toAbsolutePath(), (System.nanoTime() - t0) / 1e9, MachineInfo.currentLoadAverage());
            return file;
        }
    }

    private BenchMain() {
    }

    /** Parses {@code args} against {@code defaults} and runs {@code body}; exits the JVM on failure. */
    static void run(String[] args, Map<String, String> defaults, String usage, Body body) {
        BenchOptions o;
        try {
            o = BenchOptions.parse(args, defaults);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.print(usage);
            System.exit(2);
            return;
        }
        MachineInfo machine = MachineInfo.probe(o.path("workdir"));
        System.out.printf("machine: %d CPUs (%s), %s, load %s%n", machine.nproc(), machine.cpuModel(),
                machine.qemuVersion(), machine.loadAverage());
        Out out = new Out(o, machine);
        Thread hook = new Thread(out::closeAll, "benchmark-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            body.run(o, out);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.print(usage);
            out.closeAll();
            System.exit(2);
        } catch (Exception e) {
            System.err.println("error: benchmark failed: " + e);
            e.printStackTrace();
            out.closeAll();
            System.exit(1);
        } finally {
            out.closeAll();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
    }
}
