// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/** A {@link QmpTransport} on junixsocket, which passes file descriptors with a write (SCM_RIGHTS). */
final class JunixTransport implements QmpTransport {
    private final AFUNIXSocket socket;
    private final InputStream input;
    private final OutputStream output;

    private JunixTransport(AFUNIXSocket socket) throws IOException {
        this.socket = socket;
        this.input = socket.getInputStream();
        this.output = socket.getOutputStream();
    }

    static JunixTransport connect(Path path) throws IOException {
        AFUNIXSocket socket = AFUNIXSocket.newInstance();
        try {
            socket.connect(AFUNIXSocketAddress.of(path));
            return new JunixTransport(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    @Override
    public boolean passesDescriptors() {
        return true;
    }

    @Override
    public InputStream input() {
        return input;
    }

    @Override
    public void write(byte[] line, FileDescriptor[] fds) throws IOException {
        if (fds.length > 0) {
            socket.setOutboundFileDescriptors(fds); // sent with the next write
        }
        try {
            output.write(line);
            output.flush();
        } finally {
            if (fds.length > 0 && socket.hasOutboundFileDescriptors()) {
                socket.setOutboundFileDescriptors((FileDescriptor[]) null);
            }
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to do with a socket we are abandoning
        }
    }
}
