// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Runs an external program to completion and returns its stdout. */
final class Commands {

    private Commands() {
    }

    /**
     * Runs {@code argv}; stderr is collected for the error message.
     *
     * @throws IOException when the program cannot start or exits non-zero
     */
    static String run(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(argv)).start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IOException("'" + String.join(" ", argv) + "' exited with " + rc + ": "
                    + new String(err.join(), StandardCharsets.UTF_8).strip());
        }
        return out;
    }

    private static byte[] readAll(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
