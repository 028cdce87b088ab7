// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.Set;

/**
 * What the connected QEMU can do, probed from {@code query-qmp-schema} rather than guessed from its version.
 *
 * @param copyBeforeWrite the {@code copy-before-write} blockdev driver exists
 * @param snapshotAccess the {@code snapshot-access} blockdev driver exists
 * @param backupXPerf {@code blockdev-backup} takes {@code x-perf}
 * @param blockExportAdd {@code block-export-add} exists (else only {@code nbd-server-add})
 * @param cbwOnError the copy-before-write driver takes {@code on-cbw-error} and {@code cbw-timeout}
 */
public record QemuCapabilities(boolean copyBeforeWrite, boolean snapshotAccess, boolean backupXPerf,
        boolean blockExportAdd, boolean cbwOnError) {

    /** What QEMU 7.2 on Debian 12 offers (all of the above), for planner tests. */
    public static final QemuCapabilities QEMU_7_2 = new QemuCapabilities(true, true, true, true, true);

    /**
     * Asks QEMU for its schema and derives the capabilities.
     *
     * @throws QmpException when the query fails
     */
    public static QemuCapabilities probe(QmpChannel channel) {
        return fromSchema(channel.execute(QmpCommand.of("query-qmp-schema")));
    }

    /**
     * Derives the capabilities from a {@code query-qmp-schema} reply (the {@code return} array).
     *
     * @throws IllegalArgumentException when {@code schema} is not a schema array
     */
    public static QemuCapabilities fromSchema(JsonNode schema) {
        QmpSchema s = QmpSchema.of(schema);
        // the driver list is BlockdevDriver, the enum behind blockdev-add's 'driver' discriminator
        Set<String> drivers = s.argumentEnumValues("blockdev-add", "driver");
        boolean cbw = drivers.contains("copy-before-write");
        return new QemuCapabilities(cbw, drivers.contains("snapshot-access"),
                s.argumentMembers("blockdev-backup", Optional.empty()).contains("x-perf"),
                s.hasCommand("block-export-add"),
                cbw && s.argumentMembers("blockdev-add", Optional.of("copy-before-write")).contains("on-cbw-error"));
    }
}
