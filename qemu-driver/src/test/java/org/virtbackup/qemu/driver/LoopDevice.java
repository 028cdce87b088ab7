// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;

/**
 * A loop device over a sparse file, for tests that need a host block device (root only). {@link #close()}
 * detaches it ({@code losetup -d}) and fails when it is still attached afterwards, so a test leaves none.
 *
 * @param device the device node, e.g. {@code /dev/loop3}
 * @param backing the file it reads and writes
 */
record LoopDevice(Path device, Path backing) implements AutoCloseable {

    /** Creates {@code backing} of {@code size} bytes (sparse) and attaches the first free loop device to it. */
    static LoopDevice attach(Path backing, long size) throws IOException, InterruptedException {
        try (RandomAccessFile raf = new RandomAccessFile(backing.toFile(), "rw")) {
            raf.setLength(size);
        }
        return new LoopDevice(Path.of(NbdClients.run(List.of("losetup", "-f", "--show", backing.toString())).ok()
                .out()), backing);
    }

    /** The loop devices attached to {@code backing} ({@code losetup -j}), one line each; empty when none. */
    static String attachedTo(Path backing) throws IOException, InterruptedException {
        return NbdClients.run(List.of("losetup", "-j", backing.toString())).ok().out();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        NbdClients.run(List.of("losetup", "-d", device.toString())).ok();
        // a device still open (a process killed a moment ago) is detached by the kernel when it is closed
        String left = attachedTo(backing);
        for (int i = 0; i < 100 && !left.isBlank(); i++) {
            Thread.sleep(50);
            left = attachedTo(backing);
        }
        if (!left.isBlank()) {
            throw new IllegalStateException("loop device still attached 5 s after losetup -d: " + left);
        }
    }
}
