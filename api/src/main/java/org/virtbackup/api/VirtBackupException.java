// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.api;

import java.util.Objects;

/**
 * The one exception type of the API: a libvirt-style error code, the domain that raised it, and a message
 * a person can act on ("disk 'vdb' specified twice").
 *
 * <p>Driver-level detail (for example the QMP error class and the command that was sent) is kept in
 * {@link #getCause()}. Errors raised while rolling back are attached with {@link #addSuppressed}; they
 * never replace the first error.
 *
 * @since 0.1
 */
public class VirtBackupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final ErrorDomain domain;

    /**
     * @param code the libvirt-style code
     * @param domain where the error was raised
     * @param message what went wrong, lowercase, quoting the object at fault
     */
    public VirtBackupException(ErrorCode code, ErrorDomain domain, String message) {
        this(code, domain, message, null);
    }

    /**
     * @param code the libvirt-style code
     * @param domain where the error was raised
     * @param message what went wrong, lowercase, quoting the object at fault
     * @param cause the lower-level failure, may be null
     */
    public VirtBackupException(ErrorCode code, ErrorDomain domain, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.code = Objects.requireNonNull(code, "code");
        this.domain = Objects.requireNonNull(domain, "domain");
    }

    /** The libvirt-style error code. */
    public ErrorCode code() {
        return code;
    }

    /** Where the error was raised. */
    public ErrorDomain domain() {
        return domain;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + code + "/" + domain + "]: " + getMessage();
    }
}
