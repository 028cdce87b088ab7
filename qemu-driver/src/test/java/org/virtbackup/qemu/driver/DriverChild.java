// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.virtbackup.api.BackupEndFlag;
import org.virtbackup.api.CheckpointCreateFlag;
import org.virtbackup.api.CheckpointDeleteFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.api.VirtBackupException;

/**
 * A second process for cross-process tests: {@code begin URI STATE BACKUP.xml [CHECKPOINT.xml]},
 * {@code end URI STATE [FLAG...]} ({@link BackupEndFlag} names), {@code checkpoint-create URI STATE CHECKPOINT.xml},
 * {@code checkpoint-redefine URI STATE CHECKPOINT.xml} or
 * {@code checkpoint-delete URI STATE NAME [FLAG...]} ({@link CheckpointDeleteFlag} names). Extra driver options
 * come from the system property {@code virtbackup.test.driverOptions} ({@code key=value,...}, e.g.
 * {@code pullMethod=cbw}). Prints {@code OK <job id, final state or checkpoint name>} or
 * {@code ERR <code> <message>}.
 */
public final class DriverChild {

    private DriverChild() {
    }

    public static void main(String[] args) throws Exception {
        try (Connection c = Connections.open(new URI(args[1]), options(args[2]))) {
            System.out.println("OK " + run(c.domain(), args));
        } catch (VirtBackupException e) {
            System.out.println("ERR " + e.code() + " " + e.getMessage());
        }
    }

    private static String run(Domain dom, String[] args) throws Exception {
        switch (args[0]) {
            case "begin":
                String checkpoint = args.length > 4 ? Files.readString(Path.of(args[4])) : null;
                return dom.backupStart(Files.readString(Path.of(args[3])), checkpoint, Set.of()).id();
            case "end":
                Set<BackupEndFlag> endFlags = EnumSet.noneOf(BackupEndFlag.class);
                Arrays.stream(args, 3, args.length).forEach(f -> endFlags.add(BackupEndFlag.valueOf(f)));
                return dom.backupEnd(endFlags).state().toString();
            case "checkpoint-create":
                return dom.checkpointCreateXml(Files.readString(Path.of(args[3])), Set.of()).name();
            case "checkpoint-redefine":
                return dom.checkpointCreateXml(Files.readString(Path.of(args[3])), EnumSet.of(CheckpointCreateFlag.REDEFINE))
                        .name();
            case "checkpoint-delete":
                Set<CheckpointDeleteFlag> flags = EnumSet.noneOf(CheckpointDeleteFlag.class);
                Arrays.stream(args, 4, args.length).forEach(f -> flags.add(CheckpointDeleteFlag.valueOf(f)));
                dom.checkpointLookupByName(args[3]).delete(flags);
                return args[3];
            default:
                throw new IllegalArgumentException("unknown verb " + args[0]);
        }
    }

    private static Map<String, String> options(String stateDir) {
        Map<String, String> options = new HashMap<>(Map.of("stateDir", stateDir));
        String extra = System.getProperty("virtbackup.test.driverOptions", "");
        Arrays.stream(extra.split(",")).filter(o -> !o.isEmpty())
                .forEach(o -> options.put(o.substring(0, o.indexOf('=')), o.substring(o.indexOf('=') + 1)));
        return options;
    }

    /** Runs this class in a new JVM and returns its output line. */
    static String run(String... args) throws Exception {
        return runWith(List.of(), args).output();
    }

    /** How a child ended: its exit status and last output line. */
    record Exit(int status, String output) {
    }

    /** Runs this class in a new JVM with extra JVM options, e.g. {@code -Dvirtbackup.failpoint=start:3}. */
    static Exit runWith(List<String> jvmOptions, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // a short-lived process: the C1 compiler and the serial collector cost it less CPU
        cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), DriverChild.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        int status = p.waitFor();
        return new Exit(status, out.lines().reduce((a, b) -> b).orElse(""));
    }
}
