// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * A directory of backups: {@code DIR/<domain>/<checkpoint>/} holds one point, its qcow2 files
 * ({@code <disk>.qcow2}), their block digests ({@code <disk>.qcow2.blocks.sha256}) and its {@code manifest.json};
 * {@code DIR/.lock} is the lock of the runs that change it ({@link RepoLock}). A point being written lives in
 * {@code DIR/<domain>/.<checkpoint>.part/} and becomes visible by one rename once its manifest is written, so
 * every directory without the dot is complete. An incremental's files name the previous point's files as
 * {@code ../<parent>/<disk>.qcow2}: the repository can be moved or copied as a whole.
 *
 * @since 0.1
 */
public final class Repository {
    static final String MANIFEST = "manifest.json";
    static final String PARTIAL_SUFFIX = ".part";

    private final Path root;

    private Repository(Path root) {
        this.root = root;
    }

    /**
     * The repository at {@code root}.
     *
     * @throws VirtBackupException INVALID_ARG when {@code root} is not a directory
     */
    public static Repository open(Path root) {
        Objects.requireNonNull(root, "root");
        if (!Files.isDirectory(root)) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.STORAGE,
                    "repository '" + root + "' is not a directory");
        }
        return new Repository(root.toAbsolutePath().normalize());
    }

    /** The repository at {@code root}, creating the directory when it is missing. */
    public static Repository create(Path root) {
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.WRITE_FAILED, ErrorDomain.STORAGE,
                    "cannot create repository '" + root + "': " + e.getMessage(), e);
        }
        return open(root);
    }

    /** Its directory. */
    public Path root() {
        return root;
    }

    /** Every complete point of every domain, oldest first per domain, domains by name. */
    public List<Point> points() {
        List<Point> all = new ArrayList<>();
        for (Path d : list(root)) {
            if (Files.isDirectory(d) && !hidden(d)) {
                all.addAll(points(d.getFileName().toString()));
            }
        }
        return List.copyOf(all);
    }

    /** The complete points of {@code domain}, oldest first. */
    public List<Point> points(String domain) {
        Path dir = root.resolve(checkName(domain, "domain"));
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Point> out = new ArrayList<>();
        for (Path p : list(dir)) {
            Path manifest = p.resolve(MANIFEST);
            if (!hidden(p) && Files.isRegularFile(manifest)) {
                out.add(new Point(p, ManifestJson.parse(read(manifest), manifest.toString())));
            }
        }
        out.sort(Comparator.comparing((Point p) -> p.manifest().started()).thenComparing(Point::name));
        return List.copyOf(out);
    }

    /** The newest complete point of {@code domain}. */
    public Optional<Point> latest(String domain) {
        List<Point> all = points(domain);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * The point named {@code checkpoint}, in any domain.
     *
     * @throws VirtBackupException NO_DOMAIN_CHECKPOINT when no complete point has that name
     */
    public Point point(String checkpoint) {
        List<Point> found = points().stream().filter(p -> p.name().equals(checkpoint)).toList();
        if (found.isEmpty()) {
            throw new VirtBackupException(ErrorCode.NO_DOMAIN_CHECKPOINT, ErrorDomain.STORAGE,
                    "no point '" + checkpoint + "' in repository '" + root + "' (see 'repo list')");
        }
        if (found.size() > 1) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.STORAGE, "point '" + checkpoint
                    + "' exists for several domains in repository '" + root + "'");
        }
        return found.get(0);
    }

    /**
     * The chain of {@code point}: its full first, {@code point} last.
     *
     * @throws VirtBackupException NO_DOMAIN_CHECKPOINT naming a parent that is missing
     */
    public List<Point> chain(Point point) {
        List<Point> mine = points(point.manifest().domain());
        List<Point> chain = new ArrayList<>();
        for (Point p = point; ; ) {
            chain.add(0, p);
            Optional<String> parent = p.manifest().parent();
            if (parent.isEmpty()) {
                return List.copyOf(chain);
            }
            Point child = p;
            p = mine.stream().filter(x -> x.name().equals(parent.get())).findFirst().orElseThrow(() ->
                    new VirtBackupException(ErrorCode.NO_DOMAIN_CHECKPOINT, ErrorDomain.STORAGE, "point '"
                            + child.name() + "' needs point '" + parent.get() + "', which is not in repository '"
                            + root + "'"));
        }
    }

    /** Where a point of {@code domain} is written before it is complete. */
    Path partialDir(String domain, String checkpoint) {
        return root.resolve(checkName(domain, "domain")).resolve("." + checkName(checkpoint, "checkpoint")
                + PARTIAL_SUFFIX);
    }

    /** Where a complete point of {@code domain} lives. */
    Path pointDir(String domain, String checkpoint) {
        return root.resolve(checkName(domain, "domain")).resolve(checkName(checkpoint, "checkpoint"));
    }

    /** Left-over partial points of {@code domain} (an interrupted run). */
    List<Path> partials(String domain) {
        Path dir = root.resolve(checkName(domain, "domain"));
        return Files.isDirectory(dir) ? list(dir).stream().filter(p -> hidden(p)
                && p.getFileName().toString().endsWith(PARTIAL_SUFFIX)).toList() : List.of();
    }

    /** A name that can be a directory of its own. */
    static String checkName(String name, String what) {
        Objects.requireNonNull(name, what);
        if (name.isEmpty() || name.startsWith(".") || name.contains("/") || name.contains("\0")) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.STORAGE,
                    what + " name '" + name + "' cannot name a directory of the repository");
        }
        return name;
    }

    private static boolean hidden(Path p) {
        return p.getFileName().toString().startsWith(".");
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.READ_FAILED, ErrorDomain.STORAGE,
                    "cannot list '" + dir + "': " + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.READ_FAILED, ErrorDomain.STORAGE,
                    "cannot read '" + file + "': " + e.getMessage(), e);
        }
    }
}
