// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.nio.file.Path;
import java.util.Optional;
import org.virtbackup.qemu.qmp.QmpChannel;

/**
 * What a {@link QmpSession} connects to: a QMP socket, and what has to happen around its use. A running VM's
 * QEMU is just its socket; a stopped VM's {@code qemu-storage-daemon} ({@link StorageDaemonEndpoint}) is
 * started before the first connection and stopped when the session lets go, unless a job runs in it.
 */
interface QmpEndpoint {

    /** The QMP socket. */
    Path socket();

    /**
     * Called before each connection attempt: makes sure something listens, where the endpoint can.
     *
     * @throws org.virtbackup.api.VirtBackupException when it cannot
     */
    default void beforeConnect() {
    }

    /** Called when a connection attempt after {@link #beforeConnect()} failed: nothing was connected. */
    default void connectFailed() {
    }

    /**
     * Called when the session lets go of the socket, before it closes its channel.
     *
     * @param connected the channel, when it is still connected; empty when the connection was lost
     */
    default void beforeDisconnect(Optional<QmpChannel> connected) {
    }

    /** An endpoint that is only a socket (a QEMU someone else runs). */
    static QmpEndpoint of(Path socket) {
        return () -> socket;
    }
}
