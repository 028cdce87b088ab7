// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where the figures were measured: CPUs, memory, kernel, QEMU, the work directory's file system, load. */
record MachineInfo(int nproc, String cpuModel, long memTotalKib, String kernel, String qemuVersion,
        String qemuImgVersion, String java, String workFileSystem, String loadAverage) {

    static MachineInfo probe(Path workDir) {
        return new MachineInfo(Runtime.getRuntime().availableProcessors(), readCpuModel(), readMemTotalKib(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                firstLine("qemu-system-x86_64", "--version"), firstLine("qemu-img", "--version"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), fileSystem(workDir),
                currentLoadAverage());
    }

    /** The first three fields of {@code /proc/loadavg}, or {@code ?}. */
    static String currentLoadAverage() {
        List<String> l = lines("/proc/loadavg");
        if (l.isEmpty()) {
            return "?";
        }
        String[] p = l.get(0).split(" ");
        return p.length >= 3 ? p[0] + " " + p[1] + " " + p[2] : "?";
    }

    private static String readCpuModel() {
        return lines("/proc/cpuinfo").stream().filter(l -> l.startsWith("model name")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("?");
    }

    private static long readMemTotalKib() {
        return lines("/proc/meminfo").stream().filter(l -> l.startsWith("MemTotal:")).findFirst()
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).orElse(-1L);
    }

    private static String fileSystem(Path dir) {
        try {
            return Files.getFileStore(dir).type();
        } catch (IOException e) {
            return "?";
        }
    }

    private static String firstLine(String... argv) {
        try {
            return Commands.run(argv).lines().findFirst().orElse("?").strip();
        } catch (IOException e) {
            return "? (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    private static List<String> lines(String file) {
        try {
            return Files.readAllLines(Path.of(file));
        } catch (IOException e) {
            return List.of();
        }
    }

    ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("nproc", nproc);
        n.put("cpuModel", cpuModel);
        n.put("memTotalMiB", memTotalKib / 1024);
        n.put("kernel", kernel);
        n.put("qemu", qemuVersion);
        n.put("qemuImg", qemuImgVersion);
        n.put("java", java);
        n.put("workFileSystem", workFileSystem);
        n.put("loadAverageAtStart", loadAverage);
        return n;
    }
}
