// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;

/**
 * The operations the race tests run, in this JVM or in a child one. An operation is a line:
 * {@code start CP VDA-TARGET VDB-TARGET} (a push backup creating checkpoint CP), {@code create CP},
 * {@code delete CP} or {@code end}. Its outcome is {@code OK}, or the libvirt error code's name followed by
 * {@code ": "}, the message and where it was thrown (see {@link #failure}); anything else than a
 * {@link VirtBackupException} is reported as {@code EXC <class>: <message> ...}. {@link #code} reads the first
 * part back.
 *
 * <p>As a child: {@code RaceChild URI STATE WHEN-MILLIS OP...} waits until the wall clock reaches
 * {@code WHEN-MILLIS} (so that two children start together), then runs each operation on a connection of its
 * own, as CLI verbs do, and prints {@code <op> -> <outcome> busy=<n>} per operation.
 */
public final class RaceChild {

    /** How many times an operation is retried when QEMU's monitor serves another client. */
    static final int BUSY_RETRIES = 20;

    /**
     * The copy speed of the racing starts: the winner's push still runs when the others try (a push that
     * finished is ended by the next start, as libvirt does, so a fast one would let them all win in turn).
     */
    static final String SLOW = Long.toString(1 << 20);

    private RaceChild() {
    }

    public static void main(String[] args) throws Exception {
        URI uri = new URI(args[0]);
        Map<String, String> options = Map.of("stateDir", args[1], "backupSpeed", SLOW);
        long wait = Long.parseLong(args[2]) - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
        for (int i = 3; i < args.length; i++) {
            int busy = 0;
            String outcome;
            while (true) {
                outcome = onOwnConnection(uri, options, args[i]);
                if (!code(outcome).equals(ErrorCode.RESOURCE_BUSY.name()) || busy == BUSY_RETRIES) {
                    break;
                }
                busy++;
            }
            System.out.println(args[i] + " -> " + outcome + " busy=" + busy);
        }
    }

    /** Opens a connection (failing with RESOURCE_BUSY while another client holds the monitor), runs, closes. */
    static String onOwnConnection(URI uri, Map<String, String> options, String op) {
        try (Connection c = Connections.open(uri, options)) {
            return run(c.domain(), op);
        } catch (RuntimeException e) {
            return failure(e);
        }
    }

    /** Runs one operation on {@code dom}. */
    static String run(Domain dom, String op) {
        String[] a = op.split(" ");
        try {
            switch (a[0]) {
                case "start" -> dom.backupStart(PushBackupTest.pushXml(null, Path.of(a[2]), Path.of(a[3])),
                        PushBackupTest.checkpointXml(a[1]), Set.of());
                case "create" -> CheckpointQemu.create(dom, a[1]);
                case "delete" -> dom.checkpointLookupByName(a[1]).delete(Set.of());
                case "end" -> dom.backupEnd(Set.of());
                default -> throw new IllegalArgumentException("unknown race operation '" + op + "'");
            }
            return "OK";
        } catch (RuntimeException e) {
            return failure(e);
        }
    }

    /**
     * A failed operation on one line: {@code CODE: message [at frame < frame ...]}, then each cause as
     * {@code <- Class: message [at ...]}; {@code EXC <class>: ...} for an exception that is no
     * {@link VirtBackupException}. A race that goes wrong is rare, so its outcome must say everything.
     */
    static String failure(RuntimeException e) {
        StringBuilder sb = new StringBuilder(e instanceof VirtBackupException v ? v.code().name() : "EXC "
                + e.getClass().getName()).append(": ").append(e.getMessage()).append(frames(e, 6));
        int depth = 0;
        for (Throwable c = e.getCause(); c != null && depth < 4; c = c.getCause(), depth++) {
            sb.append(" <- ").append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(frames(c, 4));
        }
        for (Throwable s : e.getSuppressed()) {
            sb.append(" (suppressed ").append(s.getClass().getSimpleName()).append(": ").append(s.getMessage()).append(')');
        }
        return sb.toString().replace('\n', ' ');
    }

    private static String frames(Throwable t, int n) {
        StackTraceElement[] st = t.getStackTrace();
        StringBuilder sb = new StringBuilder(" [at ");
        for (int i = 0; i < Math.min(n, st.length); i++) {
            sb.append(i == 0 ? "" : " < ").append(st[i].getClassName().replaceAll(".*\\.", "")).append('.')
                    .append(st[i].getMethodName()).append(':').append(st[i].getLineNumber());
        }
        return sb.append(']').toString();
    }

    /** The code part of an outcome: {@code OK}, the error code's name, or {@code EXC <class>}. */
    static String code(String outcome) {
        int colon = outcome.indexOf(':');
        return colon < 0 ? outcome : outcome.substring(0, colon);
    }

    /** Starts a child JVM running {@code ops} at {@code when}; read its output with {@link #outcomes}. */
    static Process spawn(URI uri, Path state, long when, List<String> ops) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), RaceChild.class.getName(), uri.toString(),
                state.toString(), Long.toString(when)));
        cmd.addAll(ops);
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** The child's outcome lines, once it exited; fails if it did not within 120 s (and kills it). */
    static List<String> outcomes(Process p) throws Exception {
        try {
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new AssertionError("race child did not exit");
            }
            return out.lines().filter(l -> l.contains(" -> ")).toList();
        } finally {
            p.destroyForcibly();
        }
    }
}
