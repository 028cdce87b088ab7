// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

/**
 * The life of a {@link QmpChannel}, after qemu.qmp's {@code Runstate}. A channel is used once:
 * {@code IDLE → CONNECTING → RUNNING → CLOSING → CLOSED}; a failed connect or a lost connection goes straight
 * to {@code CLOSED}.
 */
public enum QmpRunState {
    /** Created, not connected; listeners may already be opened. */
    IDLE,
    /** Connecting, reading the greeting, negotiating capabilities. */
    CONNECTING,
    /** Negotiated: commands may be executed. */
    RUNNING,
    /** {@link QmpChannel#close()} is in progress. */
    CLOSING,
    /** Closed by the caller, by the peer, or after a fatal protocol error. Terminal. */
    CLOSED
}
