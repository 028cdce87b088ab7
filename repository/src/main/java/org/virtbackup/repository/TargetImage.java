// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.nbd.QemuNbdServer;
import org.virtbackup.nbd.QemuNbdServer.Durability;

/**
 * The new qcow2 file of one disk of a point ({@code <disk>.qcow2}, created with {@code qemu-img}: an overlay of the
 * previous point's file for an incremental) and the writable {@code qemu-nbd} serving it, on a socket of the run's
 * private directory ({@code <disk>.sock}, its pid file beside it, so that the next run stops it when this one is
 * killed). The server does not sync the file ({@link Durability#CALLER_SYNCS}): the copy's flush writes QEMU's caches
 * back to it, and {@link PointFiles#writeManifest} fsyncs it before the point can be published. Closing stops the
 * server.
 */
final class TargetImage implements AutoCloseable {
    private final Spec spec;
    private final Path file;
    private final QemuNbdServer server;

    /**
     * What a target is made of.
     *
     * @param disk the disk's name
     * @param size the disk's size in bytes
     * @param backing the previous point's file relative to the point's directory, for an incremental
     */
    record Spec(String disk, long size, Optional<String> backing) {
    }

    private TargetImage(Spec spec, Path file, QemuNbdServer server) {
        this.spec = spec;
        this.file = file;
        this.server = server;
    }

    /**
     * Creates the file in {@code pointDir} and serves it to up to {@code clients} connections.
     *
     * @param compress whether its data clusters are written compressed
     */
    static TargetImage create(Spec spec, Path pointDir, Path socketDir, int clients, boolean compress) {
        Path file = pointDir.resolve(Repository.checkName(spec.disk(), "disk") + ".qcow2");
        List<String> cmd = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", "qcow2"));
        // -u: the backing chain (the repository's own points, opened by qemu-nbd next) is not opened here, which
        // would cost a little more with every point of the chain
        spec.backing().ifPresent(b -> cmd.addAll(List.of("-u", "-b", b, "-F", "qcow2")));
        cmd.addAll(List.of(file.toString(), Long.toString(spec.size())));
        QemuTool.run(cmd, "cannot create '" + file + "'");
        Path socket = socketDir.resolve(spec.disk() + ".sock");
        try {
            // the point is published only after its files are fsynced (PointFiles): no sync while it is written
            return new TargetImage(spec, file, compress
                    ? QemuNbdServer.writableCompressed(file, socket, clients, Durability.CALLER_SYNCS)
                    : QemuNbdServer.writable(file, "qcow2", socket, clients, Durability.CALLER_SYNCS));
        } catch (RuntimeException e) {
            try {
                Files.deleteIfExists(file); // no file of a disk the point will not hold
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    Spec spec() {
        return spec;
    }

    /** The qcow2 file. */
    Path file() {
        return file;
    }

    /** The server's NBD URI. */
    String uri() {
        return server.uri();
    }

    /** Stops the server and removes the file: a target made ahead that the run does not use. */
    void discard() {
        close();
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.WRITE_FAILED, ErrorDomain.STORAGE,
                    "cannot remove '" + file + "': " + e.getMessage(), e);
        }
    }

    /** Stops the server (qemu-nbd writes back what it holds and closes the file). */
    @Override
    public void close() {
        server.close();
    }
}
