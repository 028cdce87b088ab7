// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

/**
 * Every QEMU error text the driver reacts to, in one place. QMP errors carry a class that is almost always
 * {@code GenericError}, so some cases can only be told apart by their text; each match below names the QEMU
 * version and the message it was taken from (qemu-7.2-qmp-notes.md, the traces in {@code qmp-traces/}). A
 * QEMU that rewords a message makes the driver treat that error as an ordinary failure, never as success.
 */
public final class QemuErrors {

    private QemuErrors() {
    }

    /**
     * The node, bitmap, job, export or NBD server a teardown step removes is already gone. QEMU 7.2:
     * class {@code DeviceNotFound}, or {@code GenericError} with "Cannot find device='x' nor node-name='x'",
     * "Bitmap 'b' not found" / "Dirty bitmap 'b' not found", "Job not found", "Failed to find node with
     * node-name='x'", "Export 'e' is not found", "NBD server not running".
     */
    public static boolean isAlreadyGone(QmpErrorException e) {
        String d = e.desc();
        return e.isClass("DeviceNotFound") || d.startsWith("Cannot find device") || d.contains("not found")
                || d.startsWith("Failed to find node") || d.equals("NBD server not running");
    }

    /**
     * The error QEMU 7.2 records for a job that was cancelled ({@code job-cancel}): {@code query-jobs} shows
     * {@code "error": "Operation canceled"} (strerror of ECANCELED).
     */
    public static boolean isCancelled(String jobError) {
        return jobError.equals(CANCELLED);
    }

    /** The text of {@link #isCancelled}, also what libvirt reports as the error of a cancelled backup job. */
    public static final String CANCELLED = "Operation canceled";

    /** {@code block-export-del} of an export that does not exist. QEMU 7.2: "Export 'e' is not found". */
    public static boolean isExportMissing(QmpErrorException e) {
        return e.desc().endsWith("is not found");
    }

    /**
     * {@code block-export-del} of an export an earlier request is deleting already. QEMU 7.2: "Export 'e' is
     * already shutting down".
     */
    public static boolean isExportShuttingDown(QmpErrorException e) {
        return e.desc().contains("already shutting down");
    }

    /**
     * A safe {@code block-export-del} refused because a client is connected. QEMU 7.2: "export 'e' still in
     * use" (it sends no event when the client leaves, so the caller retries).
     */
    public static boolean isExportInUse(QmpErrorException e) {
        return e.desc().contains("still in use");
    }

    /**
     * Opening a {@code qcow2} node over a copy-before-write snapshot whose snapshot broke. QEMU 7.2: "Could not
     * read qcow2 header: Permission denied" (a healthy snapshot answers "Image is not in qcow2 format").
     */
    public static boolean isBrokenSnapshotRead(QmpErrorException e) {
        return e.desc().startsWith("Could not read qcow2 header");
    }

    /**
     * A program could not open an image because another process holds its lock (QEMU's image locking, on by
     * default since 2.10). QEMU 7.2, {@code qemu-storage-daemon --blockdev}: 'Failed to get "write" lock' (or
     * '"consistent read" lock', 'shared "write" lock'), then "Is another process using the image [PATH]?".
     */
    public static boolean isImageLocked(String programOutput) {
        return programOutput.contains("Is another process using the image")
                || (programOutput.contains("Failed to get") && programOutput.contains(" lock"));
    }
}
