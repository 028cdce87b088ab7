// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.util.List;

/**
 * What {@code repo verify} found.
 *
 * @param checked every point and disk checked, as {@code point/disk}, in order
 * @param failures those whose content differs or cannot be read
 * @since 0.1
 */
public record VerifyReport(List<String> checked, List<Failure> failures) {
    public VerifyReport {
        checked = List.copyOf(checked);
        failures = List.copyOf(failures);
    }

    /** Whether every checked disk matched its manifest. */
    public boolean ok() {
        return failures.isEmpty();
    }

    /**
     * One disk of one point that did not verify.
     *
     * @param point the point's name
     * @param disk the disk's name
     * @param reason what differs, or why it could not be read
     */
    public record Failure(String point, String disk, String reason) {
    }
}
