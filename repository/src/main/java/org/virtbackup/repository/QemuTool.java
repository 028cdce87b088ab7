// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/** Runs one of QEMU's tools ({@code qemu-img}) to its end; a failure carries the tool's own message. */
final class QemuTool {
    private static final long TIMEOUT_HOURS = 24;

    private QemuTool() {
    }

    /**
     * Runs {@code cmd}; returns its output.
     *
     * @param what what the command does, for the message ("cannot create '...'")
     * @throws VirtBackupException OPERATION_FAILED with the tool's output when it exits with a failure
     */
    static String run(List<String> cmd, String what) {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.OPERATION_FAILED, ErrorDomain.STORAGE,
                    what + ": cannot run " + cmd.get(0) + " (install qemu-utils): " + e.getMessage(), e);
        }
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(TIMEOUT_HOURS, TimeUnit.HOURS)) {
                p.destroyForcibly();
            }
            if (p.exitValue() != 0) {
                throw new VirtBackupException(ErrorCode.OPERATION_FAILED, ErrorDomain.STORAGE,
                        what + ": " + cmd.get(0) + " exited with " + p.exitValue() + ": " + out.strip());
            }
            return out;
        } catch (IOException e) {
            p.destroyForcibly();
            throw new VirtBackupException(ErrorCode.OPERATION_FAILED, ErrorDomain.STORAGE,
                    what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new VirtBackupException(ErrorCode.OPERATION_ABORTED, ErrorDomain.STORAGE,
                    what + ": interrupted", e);
        }
    }
}
