// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.nbd;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/**
 * Native memory that libnbd reads into and writes from, so that data read from one export is written to
 * another without a copy through the Java heap. One thread at a time; {@link #close()} frees it.
 *
 * @since 0.1
 */
public final class NbdBuffer implements AutoCloseable {
    private final Memory memory;

    /** @param capacity bytes, more than 0; the buffer starts zeroed */
    public NbdBuffer(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.memory = new Memory(capacity);
        memory.clear(); // native memory starts with whatever was there: never send that anywhere
    }

    /** How many bytes it holds. */
    public int capacity() {
        return (int) memory.size();
    }

    /** A view of the first {@code length} bytes (no copy), e.g. for {@code MessageDigest.update}. */
    public ByteBuffer view(int length) {
        check(length);
        return memory.getByteBuffer(0, length);
    }

    /** A view of {@code length} bytes from {@code from} (no copy). */
    public ByteBuffer view(int from, int length) {
        check(from, length);
        return memory.getByteBuffer(from, length);
    }

    /** Sets {@code length} bytes from {@code from} to zero. */
    public void zero(int from, int length) {
        check(from, length);
        memory.setMemory(from, length, (byte) 0);
    }

    /** Copies {@code bytes} to the start of the buffer. */
    public void put(byte[] bytes) {
        check(bytes.length);
        memory.write(0, bytes, 0, bytes.length);
    }

    /** A copy of the first {@code length} bytes. */
    public byte[] get(int length) {
        check(length);
        return memory.getByteArray(0, length);
    }

    Pointer pointer() {
        return memory;
    }

    /** The native address {@code from} bytes in, after checking that {@code length} bytes fit there. */
    Pointer pointer(int from, int length) {
        check(from, length);
        return memory.share(from, length);
    }

    private void check(int from, int length) {
        if (from < 0 || length < 0 || (long) from + length > memory.size()) {
            throw new IllegalArgumentException("range " + from + "+" + length + " outside a buffer of "
                    + memory.size());
        }
    }

    void check(int length) {
        if (length < 0 || length > memory.size()) {
            throw new IllegalArgumentException("length " + length + " outside a buffer of " + memory.size());
        }
    }

    @Override
    public void close() {
        memory.close();
    }
}
