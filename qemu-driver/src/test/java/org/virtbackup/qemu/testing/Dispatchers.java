// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.testing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Ready-made {@link FakeQmpServer.Dispatcher}s. */
public final class Dispatchers {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private Dispatchers() {
    }

    /**
     * A few commands answered the way QEMU 7.2 answers them (replies and events copied from the reference
     * traces): {@code query-status}, {@code query-version}, {@code stop} (STOP event before the return),
     * {@code cont} (RESUME), {@code quit} (SHUTDOWN before the return, then hang up); anything else is
     * {@code CommandNotFound}. Enough for the channel contract tests.
     */
    public static FakeQmpServer.Dispatcher qemuLike() {
        boolean[] running = {true}; // like -machine none without -S
        return (command, args) -> switch (command) {
            case "query-status" -> QmpResponse.ok(F.objectNode().put("status", running[0] ? "running" : "paused")
                    .put("singlestep", false).put("running", running[0]));
            case "query-version" -> {
                ObjectNode v = F.objectNode();
                v.putObject("qemu").put("micro", 22).put("minor", 2).put("major", 7);
                v.put("package", "fake");
                yield QmpResponse.ok(v);
            }
            case "stop" -> {
                // QEMU emits STOP only on a state change, and before the return
                boolean was = running[0];
                running[0] = false;
                yield was ? QmpResponse.ok().withEventBefore("STOP", null) : QmpResponse.ok();
            }
            case "cont" -> {
                boolean was = running[0];
                running[0] = true;
                yield was ? QmpResponse.ok() : QmpResponse.ok().withEventBefore("RESUME", null);
            }
            case "quit" -> QmpResponse.ok()
                    .withEventBefore("SHUTDOWN", F.objectNode().put("guest", false).put("reason", "host-qmp-quit"))
                    .thenHangUp();
            default -> QmpResponse.error("CommandNotFound", "The command " + command + " has not been found");
        };
    }
}
