// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * QEMU answered a command with {@code {"error": {"class": ..., "desc": ...}}}. Keeps the class, the
 * description, the command that was sent and the raw reply, like qemu.qmp's {@code ExecuteError}.
 *
 * <p>Code that must react to a particular failure asks {@link #isClass(String)}; nobody matches {@link #desc()}
 * text, which QEMU rewords between versions.
 */
public final class QmpErrorException extends QmpException {
    private static final long serialVersionUID = 1L;

    private final String errorClass;
    private final String desc;
    private final transient QmpCommand command;
    private final transient JsonNode reply;

    /**
     * @param command the command as sent (without id)
     * @param reply the whole reply object, including {@code error} and {@code id}
     */
    public QmpErrorException(QmpCommand command, JsonNode reply) {
        super("qemu command '" + command.execute() + "' failed: " + classOf(reply) + ": " + descOf(reply), null);
        this.command = command;
        this.reply = reply.deepCopy();
        this.errorClass = classOf(reply);
        this.desc = descOf(reply);
    }

    private static String classOf(JsonNode reply) {
        return reply.path("error").path("class").asText("GenericError");
    }

    private static String descOf(JsonNode reply) {
        return reply.path("error").path("desc").asText("");
    }

    /** QEMU's error class, e.g. {@code GenericError}, {@code CommandNotFound}, {@code DeviceNotFound}. */
    public String errorClass() {
        return errorClass;
    }

    /** QEMU's human-readable description. */
    public String desc() {
        return desc;
    }

    /** The command that failed, as it was sent (without id). */
    public QmpCommand command() {
        return command;
    }

    /** The raw reply, a copy. */
    public JsonNode reply() {
        return reply.deepCopy();
    }

    /** Whether QEMU reported this error class. */
    public boolean isClass(String qmpErrorClass) {
        return errorClass.equals(Objects.requireNonNull(qmpErrorClass, "qmpErrorClass"));
    }

    /** libvirt's wording: {@code unable to execute QEMU command 'X': desc} (qemuMonitorJSONCheckErrorFull). */
    @Override
    public VirtBackupException toVirtBackupException() {
        return new VirtBackupException(ErrorCode.INTERNAL_ERROR, ErrorDomain.QEMU,
                "unable to execute QEMU command '" + command.execute() + "': " + desc, this);
    }
}
