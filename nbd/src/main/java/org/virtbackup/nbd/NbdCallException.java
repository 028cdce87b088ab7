// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.nbd;

import java.util.OptionalInt;

/**
 * What libnbd said about a failed call: the call, libnbd's message and its errno. It is the cause of the
 * {@link org.virtbackup.api.VirtBackupException} a caller sees; code that must react to the reason asks
 * {@link #errno()} instead of matching the message.
 *
 * @since 0.1
 */
public final class NbdCallException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    NbdCallException(String call, String libnbdMessage, int errno) {
        super(message(call, libnbdMessage) + (errno > 0 ? " (errno " + errno + ")" : ""));
        this.call = call;
        this.errno = errno;
    }

    /** libnbd's message names the call itself ("nbd_pread: ..."); say it once. */
    private static String message(String call, String libnbdMessage) {
        if (libnbdMessage == null) {
            return call + ": unknown error";
        }
        return libnbdMessage.startsWith(call + ":") ? libnbdMessage : call + ": " + libnbdMessage;
    }

    /** The libnbd function that failed, e.g. {@code nbd_pread}. */
    public String call() {
        return call;
    }

    /** The errno libnbd gave, if any (EIO is 5, ENOSPC 28, ENOTCONN 107, ECONNRESET 104). */
    public OptionalInt errno() {
        return errno > 0 ? OptionalInt.of(errno) : OptionalInt.empty();
    }
}
