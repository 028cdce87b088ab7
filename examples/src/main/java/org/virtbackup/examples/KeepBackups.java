// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.examples;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.repository.BackupRequest;
import org.virtbackup.repository.Level;
import org.virtbackup.repository.Point;
import org.virtbackup.repository.RepoBackup;
import org.virtbackup.repository.RepoPrune;
import org.virtbackup.repository.RepoVerify;
import org.virtbackup.repository.Repository;
import org.virtbackup.repository.VerifyReport;

/**
 * A nightly job that keeps backups a person can restore, built on the repository API: one pull backup per run
 * into {@code REPO_DIR} (a full the first time, or when the domain lost the checkpoint the newest point was
 * taken at; an incremental since that point otherwise), then retention (the newest {@code KEEP} points of each
 * chain; older ones are folded into the chain's base by {@code qemu-img}), then a verification of what is kept.
 * The repository does the hard parts: each export read once through libnbd, qcow2 written by QEMU's tools, a
 * point visible only once complete, the checkpoint discarded when a run fails (so the next incremental covers
 * the loss), the clean-up after a run that was killed, and a lock so that two runs never write at once.
 *
 * <p>Restoring is {@code RepoRestore.restore(repo, outDir, Optional.of(point), List.of(), "qcow2", log)}, or
 * {@code virtbackup repo restore REPO_DIR --to OUTDIR}.
 *
 * <pre>java org.virtbackup.examples.KeepBackups qmp+unix:///run/vm1/qmp.sock?domain=vm1 REPO_DIR KEEP [STATE_DIR]</pre>
 */
public final class KeepBackups {

    /**
     * What a run did.
     *
     * @param point the point it added
     * @param removed the points retention removed
     * @param verified what verification found in the points kept
     */
    public record Outcome(Point point, List<String> removed, VerifyReport verified) {
    }

    private KeepBackups() {
    }

    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: KeepBackups URI REPO_DIR KEEP [STATE_DIR]");
            System.exit(2);
        }
        Map<String, String> options = args.length > 3 ? Map.of("stateDir", args[3]) : Map.of();
        try {
            System.exit(run(args[0], options, Path.of(args[1]), Integer.parseInt(args[2]), System.out)
                    .verified().ok() ? 0 : 1);
        } catch (VirtBackupException e) {
            System.err.println("error: " + e.getMessage()); // nothing half-written is kept; rerun when fixed
            System.exit(1);
        }
    }

    /** Backs the domain of {@code uri} up into {@code repoDir}, keeps {@code keep} points per chain, verifies. */
    public static Outcome run(String uri, Map<String, String> options, Path repoDir, int keep, PrintStream out) {
        Repository repo = Repository.create(repoDir);
        Point point;
        try (Connection conn = Connections.open(URI.create(uri), options)) {
            point = new RepoBackup(repo, Clock.systemUTC(), out::println)
                    .run(conn.domain(), BackupRequest.of(Level.AUTO));
        }
        // the QEMU connection is closed: retention and verification work on the files alone
        List<String> removed = RepoPrune.prune(repo, keep, out::println);
        VerifyReport verified = RepoVerify.verify(repo, Optional.empty(), out::println);
        verified.failures().forEach(f -> out.println("NOT RESTORABLE: point " + f.point() + " disk " + f.disk()
                + ": " + f.reason()));
        return new Outcome(point, removed, verified);
    }
}
