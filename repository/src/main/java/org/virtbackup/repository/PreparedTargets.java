// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * The target images of a run ({@link TargetImage}), those it can foresee made ahead, in parallel and while the
 * backup job starts: an incremental knows its disks and their sizes from the previous point, so that creating the
 * files and starting their servers (tens of milliseconds each, the bulk of a small incremental's fixed cost) no
 * longer adds to the job's start. A target asked for that was not foreseen, or foreseen differently (the disk was
 * resized), is made when asked for. Closing waits for what is still being made and discards what was not taken;
 * it must happen before the run's point directory is written to its end or removed.
 */
final class PreparedTargets implements AutoCloseable {
    private static final Executor THREADS = r -> {
        Thread t = new Thread(r, "repo-target");
        t.setDaemon(true);
        t.start();
    };

    private final Map<String, CompletableFuture<TargetImage>> ahead = new LinkedHashMap<>();
    private final Path pointDir;
    private final Path socketDir;
    private final int clients;
    private final boolean compress;

    private PreparedTargets(Path pointDir, Path socketDir, int clients, boolean compress) {
        this.pointDir = pointDir;
        this.socketDir = socketDir;
        this.clients = clients;
        this.compress = compress;
    }

    /** Starts making the targets of {@code foreseen}, one thread each; none when it is empty (a full). */
    static PreparedTargets ahead(List<TargetImage.Spec> foreseen, Path pointDir, Path socketDir, int clients,
                                 boolean compress) {
        PreparedTargets t = new PreparedTargets(pointDir, socketDir, clients, compress);
        for (TargetImage.Spec s : foreseen) {
            t.ahead.put(s.disk(), CompletableFuture.supplyAsync(() -> TargetImage.create(s, pointDir, socketDir,
                    clients, compress), THREADS));
        }
        return t;
    }

    /**
     * The target of {@code spec}: the one made ahead when it matches, else a new one. The caller closes it.
     *
     * @throws VirtBackupException the failure of making it (ahead or now)
     */
    TargetImage take(TargetImage.Spec spec) {
        CompletableFuture<TargetImage> made = ahead.remove(spec.disk());
        if (made != null) {
            TargetImage t = join(made);
            if (t.spec().equals(spec)) {
                return t;
            }
            t.discard();
        }
        return TargetImage.create(spec, pointDir, socketDir, clients, compress);
    }

    /** Waits for the targets still being made and discards those not taken; their failures are dropped. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (CompletableFuture<TargetImage> made : ahead.values()) {
            try {
                join(made).discard();
            } catch (VirtBackupException e) {
                if (made.isCompletedExceptionally()) {
                    continue; // never made: nothing to discard, and the run did not need it
                }
                if (first == null) {
                    first = e;
                }
            }
        }
        ahead.clear();
        if (first != null) {
            throw first;
        }
    }

    private static TargetImage join(CompletableFuture<TargetImage> made) {
        try {
            return made.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new VirtBackupException(ErrorCode.INTERNAL_ERROR, ErrorDomain.STORAGE,
                    "cannot make a target image: " + e.getCause(), e.getCause());
        }
    }
}
