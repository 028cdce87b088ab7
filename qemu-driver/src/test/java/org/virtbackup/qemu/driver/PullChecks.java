// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.virtbackup.qemu.qmp.QmpCommand;

/** Backup XML, references and checks shared by the pull tests. */
final class PullChecks {

    private PullChecks() {
    }

    static String unixServer(Path socket) {
        return "<server transport='unix' socket='" + socket + "'/>";
    }

    static String tcpServer(int port, boolean tls) {
        return "<server transport='tcp' name='127.0.0.1' port='" + port + "'" + (tls ? " tls='yes'" : "") + "/>";
    }

    /** A pull of vda and vdb with scratch files {@code <disk>.scratch.qcow2} in {@code dir}. */
    static String pullXml(String incremental, String server, Path dir) {
        return "<domainbackup mode='pull'>" + (incremental == null ? "" : "<incremental>" + incremental
                + "</incremental>") + server + "<disks>"
                + "<disk name='vda' type='file'><scratch file='" + dir.resolve("vda.scratch.qcow2") + "'/></disk>"
                + "<disk name='vdb' type='file'><scratch file='" + dir.resolve("vdb.scratch.qcow2") + "'/></disk>"
                + "</disks></domainbackup>";
    }

    /** The raw image of {@code disk} now, after a flush (qemu-7.2-qmp-notes.md §8 gotcha 4), as {@code out}. */
    static Path reference(DomainFixture f, Path disk, Path out) throws Exception {
        f.flush();
        NbdClients.run(List.of("qemu-img", "convert", "-U", "-f", "qcow2", "-O", "raw", disk.toString(),
                out.toString())).ok();
        return out;
    }

    /** A TCP port nobody listens on now, on the loopback address. */
    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** QEMU has one NBD server; stopping it again fails when the backup's end (or rollback) stopped it. */
    static void assertNbdServerStopped(DomainFixture f) {
        assertThat(catchThrowable(() -> f.qemu.control(QmpCommand.of("nbd-server-stop"))))
                .as("the NBD server is stopped").hasMessageContaining("NBD server not running");
    }

    /**
     * Copies both exports with nbdcopy while a thread keeps writing through the guest devices, and checks that
     * writes completed during the copy and that each copy equals its point-in-time reference.
     */
    static void copyWhileGuestWrites(DomainFixture f, Path socket, Path vdaRef, Path vdbRef, Path dir)
            throws Exception {
        AtomicBoolean copying = new AtomicBoolean(true);
        AtomicInteger writes = new AtomicInteger();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            Random r = new Random(7);
            while (copying.get()) {
                f.qemu.guestWrite(r.nextBoolean() ? "vda" : "vdb", (long) r.nextInt(63) << 20, 1 << 20, 0x22);
                writes.incrementAndGet();
            }
        });
        Path vdaCopy = dir.resolve("vda.pull.raw");
        Path vdbCopy = dir.resolve("vdb.pull.raw");
        int before;
        int after;
        try {
            while (writes.get() == 0) {
                Thread.onSpinWait();
            }
            before = writes.get();
            NbdClients.nbdcopy("nbd+unix:///vda?socket=" + socket, vdaCopy).ok();
            NbdClients.nbdcopy("nbd+unix:///vdb?socket=" + socket, vdbCopy).ok();
            after = writes.get();
        } finally {
            copying.set(false);
            writer.join();
        }
        assertThat(after - before).as("guest writes that completed during the copy").isPositive();
        assertThat(Files.mismatch(vdaCopy, vdaRef)).as("vda copy equals the point in time").isEqualTo(-1);
        assertThat(Files.mismatch(vdbCopy, vdbRef)).as("vdb copy equals the point in time").isEqualTo(-1);
    }
}
