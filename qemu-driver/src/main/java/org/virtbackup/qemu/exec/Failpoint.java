// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.exec;

import java.util.Locale;
import org.virtbackup.qemu.plan.Plan;

/**
 * Fault injection for crash tests, off unless the system property {@code virtbackup.failpoint} names a step:
 * {@code start:3} halts the JVM (no shutdown hooks, as {@code kill -9} does) after step 3 of a START plan was
 * recorded in the journal but before it ran; {@code start:3+} halts right after it ran. {@code teardown:N}
 * likewise for TEARDOWN plans (of a checkpoint delete, the first checkpoint's plan). Metadata writes outside
 * plans are numbered by their caller ({@link #at}): {@code checkpoint-create:N} and {@code checkpoint-delete:N}
 * halt before the N-th change of a checkpoint operation's metadata, after QEMU's part is done. Read once, at
 * class load.
 */
public final class Failpoint {

    private static final String SPEC = System.getProperty("virtbackup.failpoint", "");

    /** The exit status of a halted JVM, so that a test can tell the failpoint from other deaths. */
    public static final int STATUS = 86;

    private Failpoint() {
    }

    static void before(Plan.Kind kind, int step) {
        hit(kind, step, "");
    }

    static void after(Plan.Kind kind, int step) {
        hit(kind, step, "+");
    }

    /**
     * A point outside plans: halts when the spec is {@code <phase>:<n>}.
     *
     * @param phase e.g. {@code checkpoint-delete}
     * @param n the point's number within the phase
     */
    public static void at(String phase, int n) {
        haltAt(phase + ":" + n);
    }

    private static void haltAt(String point) {
        if (!SPEC.isEmpty() && SPEC.equals(point)) {
            Runtime.getRuntime().halt(STATUS);
        }
    }

    private static void hit(Plan.Kind kind, int step, String suffix) {
        haltAt(kind.name().toLowerCase(Locale.ROOT) + ":" + step + suffix);
    }
}
