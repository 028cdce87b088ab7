// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.testing;

/**
 * Misbehaviour {@link FakeQmpServer} injects for one command, after OkHttp's {@code SocketPolicy}. Used only by
 * the unit tests of protocol faults; everything else runs against a real QEMU.
 */
public enum FaultPolicy {
    /** Read the command, then close the connection without replying (QEMU crashing mid-call). */
    DISCONNECT_AFTER_COMMAND,
    /** Read the command and never reply (a stuck QEMU); the connection stays up. */
    NO_REPLY,
    /** Reply with an error that carries no id (what QEMU does for a command it cannot parse). */
    ERROR_WITHOUT_ID,
    /**
     * Send an event {@code FAKE_EVENT {"command": <name>}} before the reply, as QEMU sends {@code SHUTDOWN}
     * before the return of {@code quit}.
     */
    EVENT_BEFORE_RETURN,
    /** Send a line that is not JSON before the reply. */
    GARBAGE_LINE
}
