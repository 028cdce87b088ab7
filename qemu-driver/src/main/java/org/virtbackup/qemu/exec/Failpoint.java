// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.exec;

import java.util.Locale;
import org.virtbackup.qemu.plan.Plan;

/**
 * Fault injection for crash tests, off unless the system property {@code virtbackup.failpoint} names a step:
 * {@code start:3} halts the JVM (no shutdown hooks, as {@code kill -9} does) after step 3 of a START plan was
 * recorded in the journal but before it ran; {@code start:3+} halts right after it ran. {@code teardown:N}
 * likewise for TEARDOWN plans. Read once, at class load.
 */
final class Failpoint {

    private static final String SPEC = System.getProperty("virtbackup.failpoint", "");

    /** The exit status of a halted JVM, so that a test can tell the failpoint from other deaths. */
    static final int STATUS = 86;

    private Failpoint() {
    }

    static void before(Plan.Kind kind, int step) {
        hit(kind, step, "");
    }

    static void after(Plan.Kind kind, int step) {
        hit(kind, step, "+");
    }

    private static void hit(Plan.Kind kind, int step, String suffix) {
        if (!SPEC.isEmpty() && SPEC.equals(kind.name().toLowerCase(Locale.ROOT) + ":" + step + suffix)) {
            Runtime.getRuntime().halt(STATUS);
        }
    }
}
