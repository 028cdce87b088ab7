// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * {@code repo prune --keep N}: keeps the newest N points of each chain. The oldest point kept becomes the
 * chain's new full: each of its files is rewritten standalone by {@code qemu-img convert} (the same content,
 * so the newer points' relative backing paths stay valid), its manifest then says so, and only after that are
 * the older points removed, newest first. It holds the repository's lock ({@link RepoLock}), as a backup does.
 * An interruption at any step leaves every remaining point
 * restorable and verifiable: a rewritten file has the same content, and no point names a newer one.
 *
 * @since 0.1
 */
public final class RepoPrune {
    private RepoPrune() {
    }

    /**
     * Prunes every chain of every domain of {@code repo} to its newest {@code keep} points.
     *
     * @return the names of the points removed
     * @throws VirtBackupException INVALID_ARG when {@code keep} is less than 1, RESOURCE_BUSY when another run
     *     holds the repository
     */
    public static List<String> prune(Repository repo, int keep, Consumer<String> log) {
        if (keep < 1) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.STORAGE,
                    "--keep must be at least 1, not " + keep);
        }
        try (RepoLock lock = RepoLock.acquire(repo, "prune")) {
            return pruneLocked(repo, keep, log);
        }
    }

    private static List<String> pruneLocked(Repository repo, int keep, Consumer<String> log) {
        List<String> removed = new ArrayList<>();
        for (List<Point> chain : chains(repo)) {
            if (chain.size() <= keep) {
                continue;
            }
            Point base = chain.get(chain.size() - keep);
            makeFull(base, log);
            for (int i = chain.size() - keep - 1; i >= 0; i--) {
                PointFiles.deleteTree(chain.get(i).dir());
                log.accept("removed point " + chain.get(i).name());
                removed.add(chain.get(i).name());
            }
        }
        return List.copyOf(removed);
    }

    /** Each full and the incrementals built on it, oldest first. */
    static List<List<Point>> chains(Repository repo) {
        List<List<Point>> chains = new ArrayList<>();
        for (Point p : repo.points()) {
            if (p.manifest().parent().isEmpty()) {
                chains.add(new ArrayList<>(List.of(p)));
                continue;
            }
            String parent = p.manifest().parent().get();
            for (List<Point> c : chains) {
                if (c.get(c.size() - 1).name().equals(parent)) {
                    c.add(p);
                    break;
                }
            }
        }
        return chains;
    }

    private static void makeFull(Point p, Consumer<String> log) {
        if (p.manifest().level() == Level.FULL) {
            return;
        }
        List<DiskEntry> disks = new ArrayList<>();
        for (DiskEntry d : p.manifest().disks()) {
            Path file = p.file(d);
            Path tmp = p.dir().resolve("." + d.file() + ".full");
            PointFiles.deleteTree(tmp);
            QemuTool.run(List.of("qemu-img", "convert", "-f", "qcow2", "-O", "qcow2", file.toString(),
                    tmp.toString()), "cannot rewrite '" + file + "' standalone");
            PointFiles.replace(tmp, file);
            disks.add(new DiskEntry(d.name(), d.file(), Optional.empty(), d.virtualSize(), d.bytesRead(),
                    d.bytesWritten(), d.sha256()));
        }
        PointManifest m = p.manifest();
        PointFiles.rewriteManifest(p.dir(), new PointManifest(m.domain(), m.checkpoint(), Optional.empty(),
                Level.FULL, disks, m.started(), m.ended(), m.domainXml()));
        log.accept("point " + p.name() + " is now the full of its chain");
    }
}
