// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the command-line tools the tests check data with (qemu-img, qemu-io, nbdcopy). */
public final class Tools {

    private Tools() {
    }

    /** The result of a finished command: its exit code, standard output and standard error. */
    public record Result(int exitCode, String output, String errors) {
    }

    /** Runs a command to its end (at most 120 s). */
    public static Result run(List<String> command) {
        try {
            Path out = Files.createTempFile("vb-tool", ".out");
            Path err = Files.createTempFile("vb-tool", ".err");
            try {
                Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                        .start();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                    throw new IllegalStateException("timed out: " + command);
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + command, e);
        }
    }

    /** Runs a command that must succeed; its standard output. */
    public static String check(List<String> command) {
        Result r = run(command);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(command + " exited " + r.exitCode() + ": " + r.output() + r.errors());
        }
        return r.output();
    }

    /** {@code qemu-img compare -U}: whether two images hold the same data (formats probed). */
    public static boolean sameData(Path a, Path b) {
        Result r = run(List.of("qemu-img", "compare", "-U", a.toString(), b.toString()));
        if (r.exitCode() > 1) {
            throw new IllegalStateException("qemu-img compare failed: " + r.output() + r.errors());
        }
        return r.exitCode() == 0;
    }

    /** Creates a qcow2 image of {@code mib} MiB and writes {@code pattern} bytes at each offset (MiB) given. */
    public static void qcow2(Path image, int mib, int pattern, int... offsetsMib) {
        check(List.of("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), mib + "M"));
        for (int off : offsetsMib) {
            check(List.of("qemu-io", "-f", "qcow2", "-c",
                    "write -P " + pattern + " " + off + "M 1M", image.toString()));
        }
    }
}
