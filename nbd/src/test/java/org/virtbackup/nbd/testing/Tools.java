// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.nbd.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command line tool (qemu-img, qemu-io) and fails the test with its output when it fails. */
public final class Tools {
    private Tools() {
    }

    /** Runs {@code cmd}, returns its standard output and error; exit status other than 0 fails. */
    public static String run(String... cmd) throws IOException, InterruptedException {
        return run(List.of(cmd));
    }

    /** Runs {@code cmd}, returns its standard output and error; exit status other than 0 fails. */
    public static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        if (p.exitValue() != 0) {
            throw new AssertionError(cmd + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }
}
