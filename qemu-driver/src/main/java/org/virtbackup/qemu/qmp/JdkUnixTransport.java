// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A {@link QmpTransport} on the JDK's unix socket channel (JDK 16+). It reads and writes the channel directly:
 * {@code Channels.newInputStream} and {@code newOutputStream} share one lock in JDK 17, so a write would wait
 * for the reader thread's blocked read. Only the channel's own reader thread reads, and nothing interrupts it.
 */
final class JdkUnixTransport implements QmpTransport {
    private final SocketChannel channel;
    private final InputStream input = new InputStream() {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            return channel.read(ByteBuffer.wrap(b, off, len));
        }
    };

    private JdkUnixTransport(SocketChannel channel) {
        this.channel = channel;
    }

    static JdkUnixTransport connect(Path path) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(path));
            return new JdkUnixTransport(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public boolean passesDescriptors() {
        return false;
    }

    @Override
    public InputStream input() {
        return input;
    }

    @Override
    public void write(byte[] line, FileDescriptor[] fds) throws IOException {
        if (fds.length > 0) {
            throw new IllegalArgumentException("this qmp channel cannot pass file descriptors: make it with "
                    + "QmpChannel.unixPassingDescriptors");
        }
        // The channel is interruptible: a write by a thread whose interrupt flag is set would close it, for every
        // user of the connection. The flag is kept aside for the write (a line fits the socket's buffer, so the
        // write does not block unless QEMU stopped reading) and set again after it.
        boolean interrupted = Thread.interrupted();
        try {
            ByteBuffer buf = ByteBuffer.wrap(line);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to do with a socket we are abandoning
        }
    }
}
