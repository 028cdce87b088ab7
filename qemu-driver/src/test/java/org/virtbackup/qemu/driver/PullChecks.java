// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
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
}
