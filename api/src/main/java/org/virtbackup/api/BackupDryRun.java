// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.api;

import java.util.List;
import java.util.Objects;

/**
 * What {@link Domain#backupStart} would do, computed without changing anything: the aligned backup XML
 * and the exact QMP commands, in order.
 *
 * @param alignedXml the backup XML with every default filled in, as {@link Domain#backupGetXmlDesc} would
 *     show it once the job runs
 * @param qmpPlan the QMP commands of the start plan, in order, one JSON object each (as sent, without ids);
 *     files the driver creates on the host appear as the {@code filename} of the {@code blockdev-create}
 *     that formats them
 * @since 0.1
 */
public record BackupDryRun(String alignedXml, List<String> qmpPlan) {

    public BackupDryRun {
        Objects.requireNonNull(alignedXml, "alignedXml");
        qmpPlan = List.copyOf(qmpPlan);
    }
}
