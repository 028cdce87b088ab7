// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.nio.file.Path;
import java.util.Map;

/** One way of copying the source disk into a new qcow2 file, timed. */
interface PushMethod {

    /** A short id for the JSON, e.g. {@code ours}. */
    String id();

    /** What exactly runs, for the table and the JSON. */
    String description();

    /**
     * Copies the source to {@code target}, which does not exist yet, and returns the phases in seconds; it
     * always has {@link Stats#TOTAL}, from the first command to the point where the target is closed.
     */
    Map<String, Double> run(Path target) throws Exception;
}
