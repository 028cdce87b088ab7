// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.VirtBackupException;

/**
 * A second process for cross-process tests: {@code begin URI STATE BACKUP.xml [CHECKPOINT.xml]} or
 * {@code end URI STATE}. Prints {@code OK <job id or final state>} or {@code ERR <code> <message>}.
 */
public final class DriverChild {

    private DriverChild() {
    }

    public static void main(String[] args) throws Exception {
        try (Connection c = Connections.open(new URI(args[1]), Map.of("stateDir", args[2]))) {
            if (args[0].equals("begin")) {
                String checkpoint = args.length > 4 ? Files.readString(Path.of(args[4])) : null;
                System.out.println("OK " + c.domain().backupStart(Files.readString(Path.of(args[3])), checkpoint,
                        Set.of()).id());
            } else {
                JobInfo info = c.domain().backupEnd(Set.of());
                System.out.println("OK " + info.state());
            }
        } catch (VirtBackupException e) {
            System.out.println("ERR " + e.code() + " " + e.getMessage());
        }
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
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), DriverChild.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        int status = p.waitFor();
        return new Exit(status, out.lines().reduce((a, b) -> b).orElse(""));
    }
}
