// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.launch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code qemu-img}, for creating images and for verifying backups.
 *
 * <p>About {@code -U} (force share): a running QEMU holds a lock on its images, and reading them with
 * {@code -U} can see stale qcow2 metadata still cached in QEMU, reporting false mismatches
 * (qemu-7.2-qmp-notes.md §8, gotcha 4). Only pass {@code forceShare=true} after the image was flushed, or for
 * images no QEMU writes (a finished backup target still attached read-only, say).
 */
public final class QemuImg {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private QemuImg() {
    }

    /** Creates an image of {@code size} bytes; a qcow2 gets 64 KiB clusters (the default). */
    public static void create(Path image, ImageFormat format, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("image size must not be negative: " + size);
        }
        ok(run("create", "-q", "-f", format.driver(), image.toString(), Long.toString(size)));
    }

    /** Creates a qcow2 overlay of {@code backing}, with the same virtual size. */
    public static void createOverlay(Path image, Path backing, ImageFormat backingFormat) {
        ok(run("create", "-q", "-f", "qcow2", "-b", backing.toAbsolutePath().toString(), "-F",
                backingFormat.driver(), image.toString()));
    }

    /** Converts an image, e.g. a generated raw file into qcow2. */
    public static void convert(Path source, ImageFormat sourceFormat, Path target, ImageFormat targetFormat) {
        ok(run("convert", "-f", sourceFormat.driver(), "-O", targetFormat.driver(), source.toString(),
                target.toString()));
    }

    /**
     * Copies the guest-visible content of an image that a running QEMU holds ({@code -U}) into a raw file:
     * the point-in-time reference a backup is checked against. Flush the disk first (notes §8, gotcha 4).
     */
    public static void snapshotToRaw(Path source, ImageFormat sourceFormat, Path rawTarget) {
        ok(run("convert", "-U", "-f", sourceFormat.driver(), "-O", "raw", source.toString(), rawTarget.toString()));
    }

    /**
     * Whether two images have the same virtual size and guest-visible content (unallocated reads as zero).
     *
     * @param forceShare pass {@code -U}; see the class comment for when that is safe
     * @throws QemuProcessException when qemu-img cannot compare (exit 2), e.g. an image is locked by QEMU
     */
    public static boolean identical(Path a, Path b, boolean forceShare) {
        // qemu-img compare treats a larger image's zero tail as equal, and its -s also fails on different
        // allocation, which backups legitimately have; so sizes are compared here
        if (info(a, forceShare).virtualSize() != info(b, forceShare).virtualSize()) {
            return false;
        }
        List<String> args = new ArrayList<>(List.of("compare"));
        if (forceShare) {
            args.add("-U");
        }
        args.add(a.toString());
        args.add(b.toString());
        ProcessRunner.Result r = run(args.toArray(String[]::new));
        if (r.exitCode() == 0 || r.exitCode() == 1) {
            return r.exitCode() == 0;
        }
        throw new QemuProcessException("qemu-img cannot compare '" + a + "' with '" + b + "': " + r.describe());
    }

    /** {@link #identical(Path, Path, boolean)} without {@code -U}: fails on images a running QEMU holds. */
    public static boolean identical(Path a, Path b) {
        return identical(a, b, false);
    }

    /** {@code qemu-img info --output=json}, parsed. */
    public static ImageInfo info(Path image, boolean forceShare) {
        List<String> args = new ArrayList<>(List.of("info", "--output=json"));
        if (forceShare) {
            args.add("-U");
        }
        args.add(image.toString());
        return ImageInfo.parse(json(ok(run(args.toArray(String[]::new))).stdout()));
    }

    /** {@link #info(Path, boolean)} without {@code -U}. */
    public static ImageInfo info(Path image) {
        return info(image, false);
    }

    /** The persistent bitmaps of a qcow2 image, from {@link #info(Path, boolean)}. */
    public static List<BitmapInfo> bitmaps(Path image, boolean forceShare) {
        return info(image, forceShare).bitmaps();
    }

    /** {@code qemu-img check --output=json}; a corrupt image is a result, not an exception. */
    public static ImageCheck check(Path image) {
        ProcessRunner.Result r = run("check", "--output=json", image.toString());
        if (r.stdout().isBlank()) {
            if (r.exitCode() == 0) {
                return new ImageCheck(0, 0, 0, 0, MissingNode.getInstance()); // raw: nothing to check
            }
            throw new QemuProcessException("qemu-img cannot check '" + image + "': " + r.describe());
        }
        JsonNode j = json(r.stdout());
        return new ImageCheck(r.exitCode(), j.path("corruptions").asLong(), j.path("leaks").asLong(),
                j.path("check-errors").asLong(), j);
    }

    private static ProcessRunner.Result run(String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(QemuBinaries.QEMU_IMG);
        argv.addAll(List.of(args));
        return ProcessRunner.run(argv, TIMEOUT);
    }

    private static ProcessRunner.Result ok(ProcessRunner.Result r) {
        if (r.exitCode() != 0) {
            throw new QemuProcessException(r.describe());
        }
        return r;
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new QemuProcessException("qemu-img printed output that is not JSON: " + text.strip(), e);
        }
    }
}
