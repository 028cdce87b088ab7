// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.virtbackup.api.Domain;
import org.virtbackup.repository.BackupRequest;
import org.virtbackup.repository.Level;
import org.virtbackup.repository.Point;
import org.virtbackup.repository.RepoBackup;
import org.virtbackup.repository.RepoList;
import org.virtbackup.repository.RepoPrune;
import org.virtbackup.repository.RepoRestore;
import org.virtbackup.repository.RepoVerify;
import org.virtbackup.repository.Repository;
import org.virtbackup.repository.VerifyReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code virtbackup repo backup|list|verify|restore}: backups a user keeps in a directory, and gets back. */
@Command(name = "repo", description = {"Backups kept in a directory: qcow2 chains with manifests.",
    "Verbs: backup, list, verify, restore, prune."},
        subcommands = {RepoCommands.Backup.class, RepoCommands.ListVerb.class, RepoCommands.Verify.class,
            RepoCommands.Restore.class, RepoCommands.Prune.class})
final class RepoCommands implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing verb: backup, list, verify, restore or prune");
    }

    /** Each line printed and flushed, or nothing with {@code --json} (the summary is the output then). */
    static java.util.function.Consumer<String> lines(PrintWriter out, boolean json) {
        return line -> {
            if (!json) {
                out.println(line);
                out.flush();
            }
        };
    }

    @Command(name = "backup", description = {"A pull backup with a new checkpoint, read into a new point of DIR.",
        "A full copies the allocated data; an incremental copies the changes since the newest point into qcow2 "
            + "overlays that name it by a relative path. On failure nothing is kept and the checkpoint is "
            + "discarded; a run that was killed is cleaned up by the next. DIR is locked while it runs: a second "
            + "run fails at once.",
        "Progress: a bar per disk on a terminal, else lines on stderr; --json prints the new point's manifest."})
    static final class Backup extends ConnectedVerb {
        @Parameters(paramLabel = "DIR", description = "The repository (created when missing)") Path dir;

        @Option(names = "--level", paramLabel = "full|inc|auto", defaultValue = "auto",
                description = "auto: incremental when the newest point can be continued, else full (default)")
        String level;

        @Option(names = "--disk", paramLabel = "NAME", description = "Back up this disk (repeatable; default: all)")
        List<String> disks = new ArrayList<>();

        @Option(names = "--workers", paramLabel = "N", defaultValue = "4",
                description = "Parallel NBD connections per disk (default 4)")
        int workers;

        @Option(names = "--compress", description = "Write compressed qcow2 clusters (QEMU's compress filter): "
                + "smaller files for compressible data, slower backups")
        boolean compress;

        @Option(names = "--scratch-dir", paramLabel = "DIR",
                description = "Where QEMU keeps the pull's scratch images (default: next to each disk)")
        Path scratchDir;

        private Level parsed;

        @Override
        void before() {
            try {
                parsed = Level.valueOf(level.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--level must be full, inc or auto, not '" + level + "'");
            }
            if (workers < 1 || workers > 64) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--workers must be 1 to 64");
            }
            if (disks.stream().distinct().count() != disks.size()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "a disk is named twice: " + disks);
            }
        }

        @Override
        int run(Domain dom, PrintWriter out) {
            boolean json = options().json;
            Point p;
            try (RepoProgress progress = RepoProgress.of(err())) {
                p = new RepoBackup(Repository.create(dir), Clock.systemUTC(), lines(out, json), progress).run(dom, new BackupRequest(parsed, disks, workers, Optional.ofNullable(scratchDir),
                        compress));
            }
            if (json) {
                out.print(RepoList.json(p));
            }
            return 0;
        }
    }

    @Command(name = "list", description = "The complete points of DIR, oldest first per domain.")
    static final class ListVerb implements Callable<Integer> {
        @Mixin GlobalOptions global;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "DIR", description = "The repository") Path dir;

        @Override
        public Integer call() {
            List<Point> points = Repository.open(dir).points();
            PrintWriter out = spec.commandLine().getOut();
            out.print(GlobalOptions.of(spec).json ? RepoList.json(points) : RepoList.table(points));
            out.flush();
            return 0;
        }
    }

    @Command(name = "verify", description = {"Recomputes each point's content digests through its chain.",
        "Exit 1 naming each point and disk that differ."})
    static final class Verify implements Callable<Integer> {
        @Mixin GlobalOptions global;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "DIR", description = "The repository") Path dir;

        @Option(names = "--until", paramLabel = "POINT", description = "Only the chain up to this point")
        String until;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            boolean json = GlobalOptions.of(spec).json;
            VerifyReport r = RepoVerify.verify(Repository.open(dir), Optional.ofNullable(until), lines(out, json));
            if (json) {
                out.print(RepoList.json(r));
                out.flush();
                return r.ok() ? 0 : 1;
            }
            PrintWriter err = spec.commandLine().getErr();
            for (VerifyReport.Failure f : r.failures()) {
                err.println("error: point '" + f.point() + "' disk '" + f.disk() + "': " + f.reason());
            }
            err.flush();
            if (r.ok()) {
                out.println("all " + r.checked().size() + " disk images verified");
                out.flush();
            }
            return r.ok() ? 0 : 1;
        }
    }

    @Command(name = "restore", description = {"Restores a point into standalone images, OUTDIR/<disk>.<format>.",
        "Each equals the disk at the point (default: the newest point); existing images are never overwritten."})
    static final class Restore implements Callable<Integer> {
        @Mixin GlobalOptions global;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "DIR", description = "The repository") Path dir;

        @Option(names = "--to", paramLabel = "OUTDIR", required = true, description = "Where the images go")
        Path to;

        @Option(names = "--until", paramLabel = "POINT", description = "The point to restore (default: newest)")
        String until;

        @Option(names = "--disk", paramLabel = "NAME", description = "Restore this disk (repeatable; default: all)")
        List<String> disks = new ArrayList<>();

        @Option(names = "--format", paramLabel = "qcow2|raw", defaultValue = "qcow2",
                description = "Image format (default qcow2)")
        String format;

        @Override
        public Integer call() {
            if (!RepoRestore.FORMATS.contains(format)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--format must be qcow2 or raw, not '" + format + "'");
            }
            PrintWriter out = spec.commandLine().getOut();
            boolean json = GlobalOptions.of(spec).json;
            List<Path> images = RepoRestore.restore(Repository.open(dir), to, Optional.ofNullable(until), disks,
                    format, lines(out, json));
            if (json) {
                out.print(RepoList.json("images", images.stream().map(Path::toString).toList()));
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "prune", description = {"Keeps the newest N points of each chain.",
        "The oldest point kept becomes the chain's full (rewritten with qemu-img convert); older points are "
            + "removed. Every kept point still restores and verifies. DIR is locked while it runs, as for a backup."})
    static final class Prune implements Callable<Integer> {
        @Mixin GlobalOptions global;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "DIR", description = "The repository") Path dir;

        @Option(names = "--keep", paramLabel = "N", required = true, description = "Points to keep per chain")
        int keep;

        @Override
        public Integer call() {
            if (keep < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--keep must be at least 1");
            }
            PrintWriter out = spec.commandLine().getOut();
            boolean json = GlobalOptions.of(spec).json;
            List<String> removed = RepoPrune.prune(Repository.open(dir), keep, lines(out, json));
            out.print(json ? RepoList.json("removed", removed) : removed.size() + " point(s) removed\n");
            out.flush();
            return 0;
        }
    }
}
