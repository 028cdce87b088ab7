// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * Which point a backup continues: none for a full; for an incremental the newest point, which the domain must
 * still have as a usable checkpoint (its bitmaps hold the changes since) and which must hold every disk asked for.
 * {@code auto} takes the incremental when it can and a full otherwise. Pure: the domain is asked through
 * {@code domainHas}.
 */
final class LevelChoice {
    private LevelChoice() {
    }

    /**
     * @return the point to continue; empty for a full
     * @throws VirtBackupException OPERATION_INVALID when {@link Level#INC} cannot continue the newest point
     */
    static Optional<Point> parent(BackupRequest request, Optional<Point> newest, Predicate<String> domainHas) {
        if (request.level() == Level.FULL) {
            return Optional.empty();
        }
        Optional<String> obstacle = obstacle(request.disks(), newest, domainHas);
        if (obstacle.isEmpty()) {
            return newest;
        }
        if (request.level() == Level.AUTO) {
            return Optional.empty();
        }
        throw new VirtBackupException(ErrorCode.OPERATION_INVALID, ErrorDomain.STORAGE,
                "cannot take an incremental backup: " + obstacle.get() + "; take a full one (--level full)");
    }

    private static Optional<String> obstacle(List<String> disks, Optional<Point> newest, Predicate<String> domainHas) {
        if (newest.isEmpty()) {
            return Optional.of("the repository has no point of this domain");
        }
        Point p = newest.get();
        if (!domainHas.test(p.name())) {
            return Optional.of("the domain no longer has checkpoint '" + p.name() + "' of the newest point, or its "
                    + "bitmaps are no longer usable (see checkpoint-validate)");
        }
        return disks.stream().filter(d -> p.manifest().disk(d).isEmpty()).findFirst()
                .map(d -> "disk '" + d + "' is not in the newest point '" + p.name() + "'");
    }
}
