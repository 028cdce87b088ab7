// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.QemuDisk;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpCommand;

/**
 * Finds what an operation left behind in QEMU and on the host, for end-to-end tests: block nodes beyond an
 * expected set (scratch, targets, filters such as an auto-named {@code #block123} backup filter), jobs,
 * NBD exports, temporary (non-persistent) bitmaps, and QEMU processes still running under this JVM.
 *
 * <pre>{@code
 * QemuLeftovers.Report r = QemuLeftovers.inspect(qmp, Set.of("vda-storage", "vda-format"));
 * assertThat(r.isClean()).as(r.toString()).isTrue();
 * }</pre>
 */
public final class QemuLeftovers {
    private QemuLeftovers() {
    }

    /**
     * What was found; every list is unmodifiable.
     *
     * @param unexpectedNodes node names not in the expected set
     * @param jobs {@code id (status)} of every job in {@code query-jobs}
     * @param exports ids of every block export
     * @param temporaryBitmaps {@code node/name} of every non-persistent dirty bitmap
     */
    public record Report(List<String> unexpectedNodes, List<String> jobs, List<String> exports,
            List<String> temporaryBitmaps) {
        public Report {
            unexpectedNodes = List.copyOf(unexpectedNodes);
            jobs = List.copyOf(jobs);
            exports = List.copyOf(exports);
            temporaryBitmaps = List.copyOf(temporaryBitmaps);
        }

        /** Nothing left behind. */
        public boolean isClean() {
            return unexpectedNodes.isEmpty() && jobs.isEmpty() && exports.isEmpty() && temporaryBitmaps.isEmpty();
        }
    }

    /**
     * Inspects an embedded QEMU through a new connection on its public socket (close yours first: one client
     * at a time), expecting only its disks' own nodes.
     */
    public static Report inspect(EmbeddedQemu qemu) {
        Set<String> expected = new HashSet<>();
        for (QemuDisk d : qemu.disks()) {
            expected.add(d.storageNode());
            expected.add(d.formatNode());
        }
        try (QmpChannel qmp = qemu.openQmp()) {
            return inspect(qmp, expected);
        }
    }

    /**
     * Every dirty bitmap on any node of an embedded QEMU, persistent (checkpoints) or not, as
     * {@code node/name}, read through its private monitor (so it works while a driver holds the public socket).
     */
    public static List<String> bitmaps(EmbeddedQemu qemu) {
        List<String> out = new ArrayList<>();
        JsonNode nodes = qemu.control(new QmpCommand("query-named-block-nodes",
                JsonNodeFactory.instance.objectNode().put("flat", true)));
        for (JsonNode node : nodes) {
            String name = node.path("node-name").asText();
            node.path("dirty-bitmaps").forEach(b -> out.add(name + "/" + b.path("name").asText()));
        }
        return out;
    }

    /** Inspects the QEMU behind {@code qmp}; {@code expectedNodes} are the node names that belong there. */
    public static Report inspect(QmpChannel qmp, Set<String> expectedNodes) {
        List<String> nodes = new ArrayList<>();
        List<String> bitmaps = new ArrayList<>();
        JsonNode all = qmp.execute(new QmpCommand("query-named-block-nodes",
                JsonNodeFactory.instance.objectNode().put("flat", true)));
        for (JsonNode n : all) {
            String name = n.path("node-name").asText();
            if (!expectedNodes.contains(name)) {
                nodes.add(name);
            }
            for (JsonNode b : n.path("dirty-bitmaps")) {
                if (!b.path("persistent").asBoolean()) {
                    bitmaps.add(name + "/" + b.path("name").asText());
                }
            }
        }
        List<String> jobs = new ArrayList<>();
        qmp.execute(QmpCommand.of("query-jobs"))
                .forEach(j -> jobs.add(j.path("id").asText() + " (" + j.path("status").asText() + ")"));
        List<String> exports = new ArrayList<>();
        qmp.execute(QmpCommand.of("query-block-exports")).forEach(e -> exports.add(e.path("id").asText()));
        return new Report(nodes, jobs, exports, bitmaps);
    }

    /**
     * QEMU processes ({@code qemu-system-*}, {@code qemu-img}, {@code qemu-storage-daemon}, {@code qemu-nbd})
     * that are descendants of this JVM and still running: after a test, there must be none.
     */
    public static List<ProcessHandle> survivingQemuProcesses() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).filter(p -> p.info().command()
                .map(c -> c.substring(c.lastIndexOf('/') + 1)).map(c -> c.startsWith("qemu-")).orElse(false))
                .toList();
    }

    /** A line per surviving process, for assertion messages. */
    public static String describe(List<ProcessHandle> processes) {
        return String.join("; ", processes.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
                .toList());
    }
}
