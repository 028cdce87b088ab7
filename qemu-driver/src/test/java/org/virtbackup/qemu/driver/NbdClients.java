// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real NBD clients for pull tests: {@code nbdinfo} and {@code nbdcopy} from libnbd-bin, and {@code qemu-img}
 * for reading single extents (a raw node with {@code offset}/{@code size} over an {@code nbd} protocol node).
 * Every process is bounded in time and killed by its pid when it overruns.
 */
final class NbdClients {

    private static final long TIMEOUT_SECONDS = 60;

    private NbdClients() {
    }

    /** What a client printed and how it exited. */
    record Result(int exitCode, String out) {
        Result ok() {
            if (exitCode != 0) {
                throw new AssertionError("client exited " + exitCode + ": " + out);
            }
            return this;
        }
    }

    /** One extent of {@code nbdinfo --map}: offset, length, the context's value and its description. */
    record Extent(long offset, long length, int type, String description) {
    }

    /** Runs a client to its end and returns its merged output. */
    static Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("client did not finish within " + TIMEOUT_SECONDS + " s: " + command);
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes()).strip());
        } finally {
            p.destroyForcibly();
        }
    }

    static Result nbdinfo(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("nbdinfo"));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    /** {@code nbdcopy URI FILE}: the whole export into a raw file. */
    static Result nbdcopy(String uri, Path out) throws IOException, InterruptedException {
        return run(List.of("nbdcopy", uri, out.toString()));
    }

    /** The extents of {@code context}, as {@code nbdinfo --map=CONTEXT} lists them. */
    static List<Extent> map(String uri, String context) throws IOException, InterruptedException {
        String out = nbdinfo("--map=" + context, uri).ok().out();
        List<Extent> extents = new ArrayList<>();
        for (String line : out.lines().toList()) {
            String[] f = line.strip().split("\\s+", 4);
            extents.add(new Extent(Long.parseLong(f[0]), Long.parseLong(f[1]), Integer.parseInt(f[2]),
                    f.length > 3 ? f[3] : ""));
        }
        return extents;
    }

    /** The extents of a {@code qemu:dirty-bitmap:*} context that are dirty. */
    static List<Extent> dirty(String uri, String bitmap) throws IOException, InterruptedException {
        return map(uri, "qemu:dirty-bitmap:" + bitmap).stream().filter(e -> e.type() == 1).toList();
    }

    /**
     * Reads {@code [offset, offset+length)} of an export over a unix socket or TCP with {@code qemu-img convert}
     * (a raw node with offset and size over the nbd protocol driver) and writes it at the same offset of
     * {@code image}, a raw file.
     *
     * @param server {@code server.type=unix,server.path=...} or {@code server.type=inet,server.host=...,
     *     server.port=...}
     */
    static void applyExtent(String server, String export, long offset, long length, Path image, Path tmp)
            throws IOException, InterruptedException {
        Path piece = tmp.resolve("extent-" + offset + ".raw");
        String opts = "driver=raw,offset=" + offset + ",size=" + length + ",file.driver=nbd,file.export=" + export
                + "," + server.replace("server.", "file.server.");
        run(List.of("qemu-img", "convert", "--image-opts", opts, "-O", "raw", piece.toString())).ok();
        byte[] data = Files.readAllBytes(piece);
        if (data.length != length) {
            throw new AssertionError("read " + data.length + " bytes of extent " + offset + "+" + length);
        }
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.seek(offset);
            f.write(data);
        }
        Files.delete(piece);
    }
}
