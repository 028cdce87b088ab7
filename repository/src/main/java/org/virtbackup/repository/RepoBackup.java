// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.virtbackup.api.BackupEndFlag;
import org.virtbackup.api.Domain;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * {@code repo backup}: a pull backup with a new checkpoint through the public API, each export read once
 * into a new point. On any failure before the point is complete the job ends with
 * {@link BackupEndFlag#DISCARD_CHECKPOINT} (the next incremental then still covers every change since the
 * last complete point) and the partial point is removed.
 *
 * @since 0.1
 */
public final class RepoBackup {
    private static final DateTimeFormatter NAME_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);

    /** The line logged once the job runs and before the exports are read: from here the guest may write. */
    public static final String READING = "backup job started, reading the exports";

    private final Repository repo;
    private final Clock clock;
    private final Consumer<String> log;
    private final Consumer<CopyProgress> progress;

    /**
     * @param log receives one line per step ("vda: 12.0 MiB read, ...")
     */
    public RepoBackup(Repository repo, Clock clock, Consumer<String> log) {
        this(repo, clock, log, p -> { });
    }

    /**
     * @param log receives one line per step ("vda: 12.0 MiB read, ...")
     * @param progress receives each disk's progress after every chunk copied, from the copying threads
     */
    public RepoBackup(Repository repo, Clock clock, Consumer<String> log, Consumer<CopyProgress> progress) {
        this.repo = Objects.requireNonNull(repo, "repo");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.log = Objects.requireNonNull(log, "log");
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /**
     * Backs {@code dom} up into a new point, holding the repository's lock ({@link RepoLock}) throughout. First
     * cleans up after an interrupted run of this domain (see {@link InterruptedRuns}).
     *
     * @return the new, complete point
     * @throws VirtBackupException RESOURCE_BUSY when another run holds the repository; OPERATION_INVALID when an
     *     incremental cannot continue the newest point; the backup's or the reader's error otherwise (the job's
     *     checkpoint discarded)
     */
    public Point run(Domain dom, BackupRequest request) {
        try (RepoLock lock = RepoLock.acquire(repo, "backup")) {
            InterruptedRuns.cleanUp(repo, dom, log);
            return runLocked(dom, request);
        }
    }

    private Point runLocked(Domain dom, BackupRequest request) {
        String domain = dom.name();
        Optional<Point> last = repo.latest(domain);
        Optional<Point> parent = LevelChoice.parent(request, last, name -> CheckpointUse.usable(dom, name));
        List<String> disks = request.disks().isEmpty()
                ? parent.map(p -> p.manifest().disks().stream().map(DiskEntry::name).toList()).orElse(List.of())
                : request.disks();
        if (request.scratchDir().isPresent() && disks.isEmpty()) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.STORAGE,
                    "a scratch directory needs the disks named (--disk) for a full backup");
        }
        Instant started = clock.instant();
        String checkpoint = "repo-" + NAME_TIME.format(started);
        Path part = repo.partialDir(domain, checkpoint);
        Path sockets = RepoVerify.privateTempDir(); // short socket paths (108 bytes at most) only we may use
        Path socket = exportSocket(sockets);
        boolean jobStarted = false;
        try {
            createDirectories(part);
            RunRecord.write(part, sockets);
            log.accept((parent.isPresent() ? "incremental" : "full") + " backup of '" + domain + "'"
                    + parent.map(p -> " since " + p.name()).orElse("") + " into point " + checkpoint
                    + (request.compress() ? ", compressed" : ""));
            Optional<String> domainXml;
            List<DiskEntry> entries = new ArrayList<>();
            // the targets an incremental foresees are made while the job starts; they stop before the point ends
            try (PreparedTargets targets = PreparedTargets.ahead(foreseen(parent, disks), part, sockets,
                    request.workers(), request.compress())) {
                dom.backupStart(BackupXml.pull(parent.map(Point::name), socket, disks, request.scratchDir(),
                        checkpoint), BackupXml.checkpoint(checkpoint), Set.of());
                jobStarted = true;
                log.accept(READING);
                domainXml = EmbeddedDomain.of(dom.checkpointLookupByName(checkpoint).getXmlDesc(Set.of()));
                for (ExportedDisk d : ExportedDisk.parse(dom.backupGetXmlDesc())) {
                    entries.add(copyOne(d, parent, socket, targets, request));
                }
            }
            PointManifest manifest = new PointManifest(domain, checkpoint, parent.map(Point::name),
                    parent.isPresent() ? Level.INC : Level.FULL, entries, started, clock.instant(), domainXml);
            RunRecord.remove(part);
            PointFiles.writeManifest(part, manifest);
            dom.backupEnd(Set.of());
            jobStarted = false;
            Path done = PointFiles.publish(part, repo.pointDir(domain, checkpoint));
            log.accept("point " + checkpoint + " complete");
            return new Point(done, manifest);
        } catch (RuntimeException e) {
            abandon(dom, jobStarted, part, e);
            throw e;
        } finally {
            PointFiles.deleteTree(sockets);
        }
    }

    /** The socket of the backup job's NBD server, in a run's private sockets directory. */
    static Path exportSocket(Path sockets) {
        return sockets.resolve("export.sock");
    }

    /** The targets an incremental knows before its job starts: its disks as the previous point holds them. */
    private static List<TargetImage.Spec> foreseen(Optional<Point> parent, List<String> disks) {
        return parent.map(p -> disks.stream().flatMap(d -> p.manifest().disk(d).stream())
                .map(e -> new TargetImage.Spec(e.name(), e.virtualSize(), Optional.of(backing(p, e)))).toList())
                .orElse(List.of());
    }

    /** The file of {@code disk} in point {@code p}, relative to the directory of a point beside it. */
    private static String backing(Point p, DiskEntry disk) {
        return "../" + p.name() + "/" + disk.file();
    }

    private DiskEntry copyOne(ExportedDisk d, Optional<Point> parent, Path socket, PreparedTargets targets,
                              BackupRequest request) {
        if (parent.isPresent() && d.bitmap().isEmpty()) {
            throw new VirtBackupException(ErrorCode.OPERATION_FAILED, ErrorDomain.STORAGE, "disk '" + d.name()
                    + "' is exported without the changes since '" + parent.get().name() + "'");
        }
        Optional<String> backing = parent.map(p -> backing(p, p.manifest().disk(d.name())
                .orElseThrow(() -> new VirtBackupException(ErrorCode.OPERATION_INVALID, ErrorDomain.STORAGE,
                        "disk '" + d.name() + "' is not in point '" + p.name() + "': take a full backup"))));
        DiskCopy.Result r = DiskCopy.copy(d, "nbd+unix:///" + d.exportName() + "?socket=" + socket, backing,
                targets, request.workers(), progress);
        DiskEntry e = r.entry();
        log.accept(String.format(java.util.Locale.ROOT, "%s: %s read, %s written in %.1f s, sha256 %s", d.name(),
                RepoList.bytes(e.bytesRead()), RepoList.bytes(e.bytesWritten()), seconds(r.copy()), e.sha256()));
        return e;
    }

    private static double seconds(java.time.Duration d) {
        return d.toMillis() / 1000.0;
    }

    /**
     * Ends the job (when one runs) discarding its checkpoint and removes the partial point; errors join
     * {@code first}.
     */
    private void abandon(Domain dom, boolean jobStarted, Path part, RuntimeException first) {
        if (jobStarted) {
            try {
                dom.backupEnd(EnumSet.of(BackupEndFlag.DISCARD_CHECKPOINT));
            } catch (RuntimeException e) {
                first.addSuppressed(e);
            }
        }
        try {
            PointFiles.deleteTree(part);
        } catch (RuntimeException e) {
            first.addSuppressed(e);
        }
        log.accept("backup failed" + (jobStarted ? ", checkpoint discarded" : "") + ", nothing kept: "
                + first.getMessage());
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.WRITE_FAILED, ErrorDomain.STORAGE,
                    "cannot create '" + dir + "': " + e.getMessage(), e);
        }
    }
}
