// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.FileDescriptor;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.virtbackup.api.Domain;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * {@code <server transport='fd' fdgroup='NAME'/>} (libvirt 11.3) on a real QEMU: the test opens a listening unix
 * socket, hands it over with {@code Domain.fdAssociate}, and reads the exports through it with nbdcopy.
 */
@RequiresQemu
@Timeout(120)
class PullFdTest extends DomainTest {

    private static String fdServer(String group) {
        return "<server transport='fd' fdgroup='" + group + "'/>";
    }

    @Test
    void anUnknownFdGroupIsRefusedBeforeQemuIsTouched() throws Exception {
        VirtBackupException e = catchThrowableOfType(() -> f.domain().backupStart(
                PullChecks.pullXml(null, fdServer("nbd-listener"), tmp), PushBackupTest.checkpointXml("cp1"),
                Set.of()), VirtBackupException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARG);
        assertThat(e).hasMessageContaining("unknown file descriptor group 'nbd-listener'");
        assertThat(f.domain().listAllCheckpoints(Set.of())).isEmpty();
        PullChecks.assertNbdServerStopped(f);
        f.assertNoLeftoversInQemu();
        assertThat(f.strayFiles()).isEmpty();
    }

    @Test
    void aPullServedOnTheCallersListeningSocketIsReadAndEndedFromAnotherConnection() throws Exception {
        Path socket = tmp.resolve("caller.sock");
        AFUNIXServerSocket server = AFUNIXServerSocket.bindOn(socket, false);
        FileDescriptor fd = server.getFileDescriptor();
        Path vdaRef = PullChecks.reference(f, f.vda, tmp.resolve("vda.ref.raw"));
        Path vdbRef = PullChecks.reference(f, f.vdb, tmp.resolve("vdb.ref.raw"));
        Domain dom = f.domain();
        dom.fdAssociate("nbd-listener", List.of(fd));
        dom.backupStart(PullChecks.pullXml(null, fdServer("nbd-listener"), tmp), PushBackupTest.checkpointXml("cp1"),
                Set.of());
        assertThat(dom.backupGetXmlDesc()).contains("<server transport='fd' fdgroup='nbd-listener'/>");
        f.disconnect();
        assertThat(fd.valid()).as("the domain owned the descriptor and closed it with its connection").isFalse();

        // the listening socket lives on in QEMU only
        PullChecks.copyWhileGuestWrites(f, socket, vdaRef, vdbRef, tmp);

        JobInfo end = f.reconnect().backupEnd(Set.of());
        assertThat(end.state()).isEqualTo(JobState.COMPLETED);
        assertThat(catchThrowableOfType(() -> SocketChannel.open(UnixDomainSocketAddress.of(socket)).close(),
                IOException.class)).as("nobody listens on the socket any more").isNotNull();
        PullChecks.assertNbdServerStopped(f);
        f.assertNoLeftoversInQemu();
        assertThat(socket).as("QEMU's socket channel unlinks a listening unix socket's path when it closes it")
                .doesNotExist();
        assertThat(f.strayFiles()).containsExactlyInAnyOrder("vda.ref.raw", "vdb.ref.raw", "vda.pull.raw",
                "vdb.pull.raw");
    }

    @Test
    void anFdPullOnASocketConnectedBeforeFdAssociateFailsCleanlyAndTheNextStartWorks() throws Exception {
        Path socket = tmp.resolve("caller.sock");
        AFUNIXServerSocket server = AFUNIXServerSocket.bindOn(socket, false);
        FileDescriptor fd = server.getFileDescriptor();
        QemuDomain dom = (QemuDomain) f.domain();
        String pull = PullChecks.pullXml(null, fdServer("nbd-listener"), tmp);
        VirtBackupException e = dom.operation(() -> {
            dom.requireRunning(); // an outer call connects: without descriptor passing, as no group is associated yet
            dom.fdAssociate("nbd-listener", List.of(fd));
            return catchThrowableOfType(() -> dom.backupStart(pull, PushBackupTest.checkpointXml("cp1"), Set.of()),
                    VirtBackupException.class);
        });
        assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_FAILED);
        assertThat(e).hasMessageContaining("start the backup again once that call has returned");
        assertThat(dom.listAllCheckpoints(Set.of())).isEmpty();
        PullChecks.assertNbdServerStopped(f);

        // the outer call returned: the next operation connects afresh, passing descriptors
        dom.backupStart(pull, PushBackupTest.checkpointXml("cp1"), Set.of());
        assertThat(dom.backupGetXmlDesc()).contains("<server transport='fd' fdgroup='nbd-listener'/>");
        assertThat(dom.backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
        PullChecks.assertNbdServerStopped(f);
        f.assertNoLeftoversInQemu();
        assertThat(f.strayFiles()).isEmpty();
    }
}
