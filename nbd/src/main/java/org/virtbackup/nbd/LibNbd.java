// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.nbd;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * The part of libnbd's C API ({@code libnbd.so.0}, ABI {@code LIBNBD_1.0}) this module calls, mapped with JNA.
 * Signatures are those of libnbd(3) and its per-call man pages; every call that can fail returns -1 (or NULL)
 * and leaves the reason in the calling thread's {@code nbd_get_error}/{@code nbd_get_errno}.
 *
 * <p>{@code size_t} is mapped to {@code long}: the module loads only where a {@code size_t} has 8 bytes
 * (checked in {@link #load()}), which is every platform QEMU's 64-bit hosts run on.
 */
interface LibNbd extends Library {

    Pointer nbd_create();

    void nbd_close(Pointer h);

    int nbd_connect_uri(Pointer h, String uri);

    int nbd_add_meta_context(Pointer h, String name);

    int nbd_can_meta_context(Pointer h, String name);

    int nbd_is_read_only(Pointer h);

    long nbd_get_size(Pointer h);

    int nbd_pread(Pointer h, Pointer buf, long count, long offset, int flags);

    int nbd_pwrite(Pointer h, Pointer buf, long count, long offset, int flags);

    int nbd_zero(Pointer h, long count, long offset, int flags);

    int nbd_flush(Pointer h, int flags);

    int nbd_shutdown(Pointer h, int flags);

    int nbd_block_status(Pointer h, long count, long offset, ExtentCallback.ByValue callback, int flags);

    String nbd_get_error();

    int nbd_get_errno();

    /** The callback of {@code nbd_block_status}: {@code entries} holds {@code nrEntries} uint32 (length, flags pairs). */
    interface ExtentFunction extends Callback {
        int invoke(Pointer userData, String metacontext, long offset, Pointer entries, long nrEntries,
                   Pointer error);
    }

    /** {@code nbd_extent_callback}, passed by value. */
    @Structure.FieldOrder({"callback", "user_data", "free"})
    class ExtentCallback extends Structure {
        public ExtentFunction callback;
        public Pointer user_data;
        public Pointer free;

        /** The by-value form libnbd's signature takes. */
        static final class ByValue extends ExtentCallback implements Structure.ByValue {
            ByValue(ExtentFunction function) {
                this.callback = function;
            }
        }
    }

    /** The loaded library, or NO_SUPPORT naming the package to install. */
    static LibNbd load() {
        return Holder.INSTANCE.get();
    }

    /** Loads once, remembers a failure so that every caller gets the same clear error. */
    final class Holder {
        private static final java.util.function.Supplier<LibNbd> INSTANCE = loadOnce();

        private Holder() {
        }

        private static java.util.function.Supplier<LibNbd> loadOnce() {
            if (Native.SIZE_T_SIZE != 8) {
                return () -> {
                    throw new VirtBackupException(ErrorCode.NO_SUPPORT, ErrorDomain.STORAGE,
                            "the libnbd binding needs a 64-bit size_t; this platform has " + Native.SIZE_T_SIZE
                                    + " bytes");
                };
            }
            try {
                // the soname, not "nbd": only libnbd-dev ships the unversioned libnbd.so
                LibNbd lib = Native.load("libnbd.so.0", LibNbd.class);
                return () -> lib;
            } catch (UnsatisfiedLinkError e) {
                return () -> {
                    throw new VirtBackupException(ErrorCode.NO_SUPPORT, ErrorDomain.STORAGE,
                            "cannot load libnbd (libnbd.so.0): install it with 'apt-get install -y libnbd0' ("
                                    + e.getMessage() + ")", e);
                };
            }
        }
    }
}
