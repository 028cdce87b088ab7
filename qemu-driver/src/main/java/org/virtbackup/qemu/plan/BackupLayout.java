// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.virtbackup.api.BackupMode;

/**
 * A validated backup request resolved against the block graph: what the start plan creates and the end
 * plan removes. The executor persists it with the job state; {@link BackupPlanner#planEnd} needs only this,
 * not a new block graph (while a job runs, QEMU inserts its filter above the source, so the graph read then
 * no longer shows the source as the device's node).
 *
 * @param request the request
 * @param disks the resolved disks, in request order
 * @param checkpointBitmaps the bitmaps of the new checkpoint, one per checkpoint disk on its top node
 * @param tlsObjectId pull with TLS: the {@code tls-creds-x509} object id
 */
public record BackupLayout(BackupRequest request, List<ResolvedDisk> disks, List<BitmapRef> checkpointBitmaps,
        Optional<String> tlsObjectId) {

    public BackupLayout {
        Objects.requireNonNull(request, "request");
        disks = List.copyOf(disks);
        checkpointBitmaps = List.copyOf(checkpointBitmaps);
        Objects.requireNonNull(tlsObjectId, "tlsObjectId");
    }

    /** Push or pull. */
    public BackupMode mode() {
        return request.mode();
    }
}
