// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * {@code repo verify}: recomputes each point's content digest through its chain and compares it with the
 * manifest. A damaged file shows in its own point first and, for data later points still read from it, in
 * those too.
 *
 * @since 0.1
 */
public final class RepoVerify {
    private RepoVerify() {
    }

    /**
     * Verifies every point, or only the chain up to {@code until}.
     *
     * @param log one line per disk checked
     * @throws VirtBackupException NO_DOMAIN_CHECKPOINT for an unknown {@code until}
     */
    public static VerifyReport verify(Repository repo, Optional<String> until, Consumer<String> log) {
        List<Point> points = until.isPresent() ? repo.chain(repo.point(until.get())) : repo.points();
        List<String> checked = new ArrayList<>();
        List<VerifyReport.Failure> failures = new ArrayList<>();
        Path sockets = privateTempDir();
        try {
            for (Point p : points) {
                for (DiskEntry d : p.manifest().disks()) {
                    checked.add(p.name() + "/" + d.name());
                    Optional<String> problem = check(p, d, sockets);
                    problem.ifPresent(r -> failures.add(new VerifyReport.Failure(p.name(), d.name(), r)));
                    log.accept(p.name() + " " + d.name() + ": " + problem.map(r -> "FAILED: " + r).orElse("ok"));
                }
            }
        } finally {
            PointFiles.deleteTree(sockets);
        }
        return new VerifyReport(checked, failures);
    }

    private static Optional<String> check(Point p, DiskEntry d, Path sockets) {
        Path file = p.file(d);
        if (!Files.isRegularFile(file)) {
            return Optional.of("file '" + file + "' is missing");
        }
        BlockDigests actual;
        try {
            actual = ContentDigest.of(file, sockets, BackupRequest.DEFAULT_WORKERS);
        } catch (VirtBackupException e) {
            return Optional.of("cannot read '" + file + "': " + e.getMessage());
        }
        if (!actual.total().equals(d.sha256())) {
            return Optional.of("content differs from the manifest (sha256 " + actual.total() + ", expected "
                    + d.sha256() + ")");
        }
        try {
            return actual.sameAs(BlockDigests.read(file, d.virtualSize())) ? Optional.empty()
                    : Optional.of("block digests '" + BlockDigests.fileOf(file) + "' differ from the content (the "
                            + "next incremental would carry that on): take a full backup");
        } catch (VirtBackupException e) {
            return Optional.of(e.getMessage());
        }
    }

    static Path privateTempDir() {
        try {
            return Files.createTempDirectory("vb-repo-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.WRITE_FAILED, ErrorDomain.STORAGE,
                    "cannot create a private directory for NBD sockets: " + e.getMessage(), e);
        }
    }
}
