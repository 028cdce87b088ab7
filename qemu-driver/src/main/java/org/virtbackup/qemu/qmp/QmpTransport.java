// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The byte stream under a {@link QmpChannel}: a connected unix socket. Two kinds, chosen when the channel is
 * made: the JDK's own unix socket ({@link JdkUnixTransport}), which costs nothing to load, and junixsocket's
 * ({@link JunixTransport}), the only one of the two that passes file descriptors (SCM_RIGHTS, for
 * {@code getfd}). junixsocket loads a native library on first use: in a short process such as one CLI verb
 * that is about 0.15 s of CPU (measured in a cold JVM; on 2 cores most of it runs beside the main thread), so
 * only a channel that may pass descriptors pays it.
 */
interface QmpTransport {

    /** Connects to the unix socket at {@code path}; {@code passesDescriptors} chooses junixsocket. */
    static QmpTransport connect(Path path, boolean passesDescriptors) throws IOException {
        return passesDescriptors ? JunixTransport.connect(path) : JdkUnixTransport.connect(path);
    }

    /** Whether {@link #write} can pass descriptors. */
    boolean passesDescriptors();

    /** What the peer sends; a read blocks until data comes, and fails once {@link #close} was called. */
    InputStream input();

    /**
     * Writes {@code line} whole, with {@code fds} as ancillary data of its first byte (QEMU takes them for the
     * command on that line). Not called concurrently (the channel serialises writes).
     *
     * @throws IllegalArgumentException when descriptors are given and this transport does not pass them
     */
    void write(byte[] line, FileDescriptor[] fds) throws IOException;

    /** Closes the socket, quietly; a blocked read then fails. Safe to call more than once, from any thread. */
    void close();
}
