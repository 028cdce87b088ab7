// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.launch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a short-lived tool to completion, never leaving it behind. */
final class ProcessRunner {
    private ProcessRunner() {
    }

    /** What the tool did. */
    record Result(List<String> argv, int exitCode, String stdout, String stderr) {
        String describe() {
            return "'" + String.join(" ", argv) + "' exited with " + exitCode
                    + (stderr.isBlank() ? "" : ": " + stderr.strip());
        }
    }

    static Result run(List<String> argv, Duration timeout) {
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new QemuProcessException("cannot run '" + argv.get(0) + "': " + e.getMessage() + "; install it with '"
                    + QemuBinaries.installHint(argv.get(0)) + "'", e);
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> slurp(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> slurp(p.getErrorStream()));
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new QemuProcessException("'" + String.join(" ", argv) + "' did not finish within "
                        + timeout.toSeconds() + " s and was killed");
            }
            return new Result(List.copyOf(argv), p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new QemuProcessException("interrupted while running '" + argv.get(0) + "'", e);
        }
    }

    private static String slurp(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
