// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * {@code repo restore}: a standalone image per disk, {@code OUTDIR/<disk>.<format>}, equal to the disk at the
 * chosen point, made by {@code qemu-img convert} through the point's chain (sparse: zeroes stay holes). Each
 * image is written under a temporary name and renamed when complete; an existing image is never overwritten.
 *
 * @since 0.1
 */
public final class RepoRestore {
    /** The image formats a restore writes. */
    public static final List<String> FORMATS = List.of("qcow2", "raw");

    private RepoRestore() {
    }

    /**
     * Restores {@code disks} (empty: all) of point {@code until} (empty: the newest point) into {@code outDir}.
     *
     * @return the images written
     * @throws VirtBackupException NO_DOMAIN_CHECKPOINT for an unknown point, INVALID_ARG for an unknown disk
     *     or format, OPERATION_INVALID when an image exists already
     */
    public static List<Path> restore(Repository repo, Path outDir, Optional<String> until, List<String> disks,
                                     String format, Consumer<String> log) {
        String fmt = format.toLowerCase(Locale.ROOT);
        if (!FORMATS.contains(fmt)) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.STORAGE,
                    "unknown image format '" + format + "': use qcow2 or raw");
        }
        Point point = until.map(repo::point).orElseGet(() -> newest(repo));
        repo.chain(point); // every point it needs is there
        List<DiskEntry> chosen = choose(point, disks);
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.WRITE_FAILED, ErrorDomain.STORAGE,
                    "cannot create '" + outDir + "': " + e.getMessage(), e);
        }
        for (DiskEntry d : chosen) {
            Path target = outDir.resolve(d.name() + "." + fmt);
            if (Files.exists(target)) {
                throw new VirtBackupException(ErrorCode.OPERATION_INVALID, ErrorDomain.STORAGE, "'" + target
                        + "' exists; restore never overwrites an image: remove it or choose another --to");
            }
        }
        List<Path> out = new ArrayList<>();
        for (DiskEntry d : chosen) {
            Path target = outDir.resolve(d.name() + "." + fmt);
            Path part = outDir.resolve("." + d.name() + "." + fmt + ".part");
            QemuTool.run(List.of("qemu-img", "convert", "-f", "qcow2", "-O", fmt, point.file(d).toString(),
                    part.toString()), "cannot restore disk '" + d.name() + "' of point '" + point.name() + "'");
            try {
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new VirtBackupException(ErrorCode.WRITE_FAILED, ErrorDomain.STORAGE,
                        "cannot rename '" + part + "' to '" + target + "': " + e.getMessage(), e);
            }
            log.accept(d.name() + ": restored point " + point.name() + " to " + target);
            out.add(target);
        }
        return List.copyOf(out);
    }

    private static Point newest(Repository repo) {
        List<Point> all = repo.points();
        if (all.isEmpty()) {
            throw new VirtBackupException(ErrorCode.NO_DOMAIN_CHECKPOINT, ErrorDomain.STORAGE,
                    "repository '" + repo.root() + "' has no complete point");
        }
        if (all.stream().map(p -> p.manifest().domain()).distinct().count() > 1) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.STORAGE, "repository '" + repo.root()
                    + "' holds several domains: name the point with --until");
        }
        return all.stream().max(java.util.Comparator.comparing((Point p) -> p.manifest().started())).orElseThrow();
    }

    private static List<DiskEntry> choose(Point point, List<String> disks) {
        if (disks.isEmpty()) {
            return point.manifest().disks();
        }
        List<DiskEntry> out = new ArrayList<>();
        for (String name : disks) {
            out.add(point.manifest().disk(name).orElseThrow(() -> new VirtBackupException(ErrorCode.INVALID_ARG,
                    ErrorDomain.STORAGE, "point '" + point.name() + "' has no disk '" + name + "' (it has "
                            + point.manifest().disks().stream().map(DiskEntry::name).collect(
                                    Collectors.joining(", ")) + ")")));
        }
        return out;
    }
}
