// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt;

import java.util.Arrays;
import org.libvirt.Error;
import org.libvirt.LibvirtException;
import org.libvirt.jna.Libvirt;
import org.libvirt.jna.virError;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * libvirt's errors as {@link VirtBackupException}s with libvirt's code and domain numbers and libvirt's message.
 * A number our enums do not name becomes {@link ErrorCode#INTERNAL_ERROR} / {@link ErrorDomain#NONE}; the
 * libvirt-java exception stays the cause, so its numbers are never lost.
 */
final class LibvirtErrors {

    /** The driver the operations beyond libvirt belong to, named in {@code NO_SUPPORT} messages. */
    static final String QEMU_DRIVER = "the qmp+unix driver (our QEMU driver)";

    private LibvirtErrors() {
    }

    /** A libvirt call that may fail. */
    @FunctionalInterface
    interface Call<T> {
        T run() throws LibvirtException;
    }

    /** Runs {@code call}, translating its {@link LibvirtException}. */
    static <T> T call(Call<T> call) {
        try {
            return call.run();
        } catch (LibvirtException e) {
            throw translate(e);
        }
    }

    /** The exception for a libvirt error. */
    static VirtBackupException translate(LibvirtException e) {
        Error error = e.getError();
        // libvirt-java numbers its enums in libvirt's order (virterror.h), so the ordinal is libvirt's number
        int code = error.getCode().ordinal();
        int domain = error.getDomain().ordinal();
        return new VirtBackupException(code(code), domain(domain), message(error), e);
    }

    /**
     * The error libvirt recorded for this thread, for libvirt-java methods that return null instead of throwing
     * (e.g. {@code checkpointLookupByName}).
     *
     * @param fallback the exception when libvirt recorded none
     */
    static VirtBackupException lastError(VirtBackupException fallback) {
        virError raw = Libvirt.INSTANCE.virGetLastError();
        if (raw == null) {
            return fallback;
        }
        String message = raw.message == null || raw.message.isEmpty() ? "libvirt error " + raw.code : raw.message;
        return new VirtBackupException(code(raw.code), domain(raw.domain), message);
    }

    /** The code with libvirt's number, or {@link ErrorCode#INTERNAL_ERROR}. */
    static ErrorCode code(int number) {
        return Arrays.stream(ErrorCode.values()).filter(c -> c.number() == number).findFirst()
                .orElse(ErrorCode.INTERNAL_ERROR);
    }

    /** The domain with libvirt's number, or {@link ErrorDomain#NONE}. */
    static ErrorDomain domain(int number) {
        return Arrays.stream(ErrorDomain.values()).filter(d -> d.number() == number).findFirst()
                .orElse(ErrorDomain.NONE);
    }

    /** An operation that only our QEMU driver has. */
    static VirtBackupException noSupport(String what) {
        return new VirtBackupException(ErrorCode.NO_SUPPORT, ErrorDomain.NONE,
                what + " is not supported by the libvirt driver: libvirt has no such operation; use "
                        + QEMU_DRIVER + ", which has it");
    }

    private static String message(Error error) {
        String m = error.getMessage();
        return m == null || m.isEmpty() ? "libvirt error " + error.getCode() : m;
    }
}
