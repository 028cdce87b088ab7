// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One QMP command: its name as QEMU spells it and its arguments. Immutable by convention: the arguments
 * node is deep-copied on the way in and out.
 *
 * @param execute the command name, e.g. {@code "blockdev-backup"}
 * @param arguments the arguments object (empty when the command takes none)
 */
public record QmpCommand(String execute, ObjectNode arguments) {

    public QmpCommand {
        Objects.requireNonNull(execute, "execute");
        arguments = arguments == null ? JsonNodeFactory.instance.objectNode() : arguments.deepCopy();
    }

    /** A command without arguments. */
    public static QmpCommand of(String execute) {
        return new QmpCommand(execute, null);
    }

    @Override
    public ObjectNode arguments() {
        return arguments.deepCopy();
    }

    /**
     * The wire form without an id: {@code {"execute": ..., "arguments": ...}}; arguments are left out when
     * empty, as QEMU's own clients do.
     */
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("execute", execute);
        if (!arguments.isEmpty()) {
            n.set("arguments", arguments.deepCopy());
        }
        return n;
    }
}
