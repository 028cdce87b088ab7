// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.nbd;

import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * One connection to an NBD export through libnbd: {@code nbd+unix://}, {@code nbd://} and {@code nbds://}
 * (TLS, e.g. {@code ?tls-certificates=DIR}) URIs as {@code nbd_connect_uri} takes them. Reads, writes, zeroes
 * and block status are libnbd's synchronous calls; a connection serves one thread at a time, and parallelism
 * comes from several connections ({@link ParallelRanges}).
 *
 * <p>Every failure is a {@link VirtBackupException} (OPEN_FAILED, READ_FAILED, WRITE_FAILED,
 * OPERATION_UNSUPPORTED) whose cause is an {@link NbdCallException} with libnbd's message and errno. A server
 * that dies mid-call makes the call fail at once (the socket closes); nothing here waits without end.
 *
 * @since 0.1
 */
public final class NbdConnection implements AutoCloseable {
    /** Largest block status request: QEMU and nbdkit take up to 4 GiB - 1 in one request. */
    private static final long MAX_STATUS_REQUEST = 1L << 30;

    private final LibNbd lib;
    private final String uri;
    private final List<String> contexts;
    private Pointer handle;

    private NbdConnection(LibNbd lib, String uri, List<String> contexts, Pointer handle) {
        this.lib = lib;
        this.uri = uri;
        this.contexts = contexts;
        this.handle = handle;
    }

    /**
     * Connects to {@code uri}, asking the server for the metadata {@code contexts} (none: no block status).
     *
     * @throws VirtBackupException NO_SUPPORT without libnbd, OPEN_FAILED when the connection fails
     */
    public static NbdConnection open(String uri, List<String> contexts) {
        Objects.requireNonNull(uri, "uri");
        List<String> wanted = List.copyOf(contexts);
        LibNbd lib = LibNbd.load();
        Pointer h = lib.nbd_create();
        if (h == null) {
            throw failure(lib, "nbd_create", ErrorCode.OPEN_FAILED, "cannot create an NBD handle for '" + uri + "'");
        }
        NbdConnection c = new NbdConnection(lib, uri, wanted, h);
        try {
            for (String context : wanted) {
                c.check(lib.nbd_add_meta_context(h, context), "nbd_add_meta_context", ErrorCode.OPEN_FAILED,
                        "cannot ask for metadata context '" + context + "'");
            }
            c.check(lib.nbd_connect_uri(h, uri), "nbd_connect_uri", ErrorCode.OPEN_FAILED,
                    "cannot connect to NBD export '" + uri + "'");
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** The URI it connected to. */
    public String uri() {
        return uri;
    }

    /** The export's size in bytes. */
    public long size() {
        long size = lib.nbd_get_size(open());
        if (size < 0) {
            throw failure(lib, "nbd_get_size", ErrorCode.READ_FAILED, "cannot get the size of '" + uri + "'");
        }
        return size;
    }

    /** Whether the server serves writes. */
    public boolean isReadOnly() {
        return check(lib.nbd_is_read_only(open()), "nbd_is_read_only", ErrorCode.READ_FAILED,
                "cannot ask whether '" + uri + "' is read-only") == 1;
    }

    /** Whether the server agreed to {@code context} at connect (it must also have been asked for). */
    public boolean hasMetaContext(String context) {
        return check(lib.nbd_can_meta_context(open(), context), "nbd_can_meta_context", ErrorCode.READ_FAILED,
                "cannot ask '" + uri + "' for metadata context '" + context + "'") == 1;
    }

    /** Reads {@code length} bytes at {@code offset} into the start of {@code buffer}. */
    public void read(NbdBuffer buffer, int length, long offset) {
        read(buffer, 0, length, offset);
    }

    /** Reads {@code length} bytes at {@code offset} into {@code buffer} from its byte {@code at}. */
    public void read(NbdBuffer buffer, int at, int length, long offset) {
        check(lib.nbd_pread(open(), buffer.pointer(at, length), length, offset, 0), "nbd_pread",
                ErrorCode.READ_FAILED, "cannot read " + length + " bytes at offset " + offset + " of '" + uri + "'");
    }

    /** Writes the first {@code length} bytes of {@code buffer} at {@code offset}. */
    public void write(NbdBuffer buffer, int length, long offset) {
        write(buffer, 0, length, offset);
    }

    /** Writes {@code length} bytes of {@code buffer}, from its byte {@code at}, at {@code offset}. */
    public void write(NbdBuffer buffer, int at, int length, long offset) {
        check(lib.nbd_pwrite(open(), buffer.pointer(at, length), length, offset, 0), "nbd_pwrite",
                ErrorCode.WRITE_FAILED, "cannot write " + length + " bytes at offset " + offset + " of '" + uri
                        + "'");
    }

    /** Makes {@code length} bytes at {@code offset} read as zeroes (the server may punch a hole). */
    public void zero(long length, long offset) {
        check(lib.nbd_zero(open(), length, offset, 0), "nbd_zero", ErrorCode.WRITE_FAILED,
                "cannot zero " + length + " bytes at offset " + offset + " of '" + uri + "'");
    }

    /** Asks the server to make every completed write durable. */
    public void flush() {
        check(lib.nbd_flush(open(), 0), "nbd_flush", ErrorCode.WRITE_FAILED, "cannot flush '" + uri + "'");
    }

    /**
     * The extents of {@code context} covering exactly {@code [offset, offset + length)}, adjacent runs with equal
     * flags merged. The context must have been asked for at {@link #open}.
     *
     * @throws VirtBackupException OPERATION_UNSUPPORTED when the server does not serve the context
     */
    public List<Extent> extents(String context, long offset, long length) {
        if (!contexts.contains(context) || !hasMetaContext(context)) {
            throw new VirtBackupException(ErrorCode.OPERATION_UNSUPPORTED, ErrorDomain.STORAGE, "NBD export '" + uri
                    + "' does not serve metadata context '" + context + "'" + (contexts.contains(context) ? ""
                    : " (it was not asked for when connecting)"));
        }
        ExtentCollector collector = new ExtentCollector(context, offset + length);
        LibNbd.ExtentCallback.ByValue callback = new LibNbd.ExtentCallback.ByValue(collector);
        long pos = offset;
        while (pos < offset + length) {
            long ask = Math.min(offset + length - pos, MAX_STATUS_REQUEST);
            collector.expect(pos);
            check(lib.nbd_block_status(open(), ask, pos, callback, 0), "nbd_block_status", ErrorCode.READ_FAILED,
                    "cannot get the '" + context + "' status of " + ask + " bytes at offset " + pos + " of '" + uri
                            + "'");
            if (collector.reached() <= pos) {
                throw new VirtBackupException(ErrorCode.READ_FAILED, ErrorDomain.STORAGE, "NBD export '" + uri
                        + "' returned no '" + context + "' extents at offset " + pos);
            }
            pos = collector.reached();
        }
        return collector.extents();
    }

    /** Disconnects and frees the handle; a second call does nothing. */
    @Override
    public synchronized void close() {
        if (handle != null) {
            Pointer h = handle;
            handle = null;
            lib.nbd_close(h);
        }
    }

    private synchronized Pointer open() {
        if (handle == null) {
            throw new VirtBackupException(ErrorCode.OPERATION_INVALID, ErrorDomain.STORAGE,
                    "the NBD connection to '" + uri + "' is closed");
        }
        return handle;
    }

    private int check(int rc, String call, ErrorCode code, String what) {
        if (rc < 0) {
            throw failure(lib, call, code, what);
        }
        return rc;
    }

    /** Reads libnbd's thread-local error right after the failed call, on the same thread. */
    private static VirtBackupException failure(LibNbd lib, String call, ErrorCode code, String what) {
        NbdCallException cause = new NbdCallException(call, lib.nbd_get_error(), lib.nbd_get_errno());
        return new VirtBackupException(code, ErrorDomain.STORAGE, what + ": " + cause.getMessage(), cause);
    }

    /** Gathers one context's (length, flags) pairs from {@code nbd_block_status} callbacks. */
    private static final class ExtentCollector implements LibNbd.ExtentFunction {
        private final String context;
        private final long limit;
        private final List<Extent> extents = new ArrayList<>();
        private long reached;

        ExtentCollector(String context, long limit) {
            this.context = context;
            this.limit = limit;
        }

        void expect(long pos) {
            reached = pos;
        }

        long reached() {
            return reached;
        }

        List<Extent> extents() {
            return List.copyOf(extents);
        }

        @Override
        public int invoke(Pointer userData, String metacontext, long offset, Pointer entries, long nrEntries,
                          Pointer error) {
            if (!context.equals(metacontext) || offset != reached) {
                return 0; // another context negotiated on this connection, or a repeat
            }
            long pos = offset;
            for (long i = 0; i + 1 < nrEntries && pos < limit; i += 2) {
                long length = Integer.toUnsignedLong(entries.getInt(i * 4));
                int flags = entries.getInt((i + 1) * 4);
                if (length == 0) {
                    break;
                }
                add(new Extent(pos, Math.min(length, limit - pos), flags));
                pos += length;
            }
            reached = Math.min(pos, limit);
            return 0;
        }

        private void add(Extent e) {
            int last = extents.size() - 1;
            if (last >= 0 && extents.get(last).end() == e.offset() && extents.get(last).flags() == e.flags()) {
                Extent prev = extents.get(last);
                extents.set(last, new Extent(prev.offset(), prev.length() + e.length(), e.flags()));
            } else {
                extents.add(e);
            }
        }
    }
}
