// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * QEMU's greeting, {@code {"QMP": {"version": {"qemu": {"major", "minor", "micro"}, "package"}, "capabilities": [...]}}}.
 *
 * @param major QEMU major version, e.g. 7
 * @param minor QEMU minor version, e.g. 2
 * @param micro QEMU micro version, e.g. 22
 * @param packageVersion the distribution's package string, e.g. {@code "Debian 1:7.2+dfsg-7+deb12u18+b3"}
 * @param capabilities the capabilities QEMU offers, e.g. {@code ["oob"]}; unmodifiable
 * @param raw the greeting as received
 */
public record QmpGreeting(int major, int minor, int micro, String packageVersion, List<String> capabilities,
        JsonNode raw) {

    public QmpGreeting {
        capabilities = List.copyOf(capabilities);
        raw = raw.deepCopy();
    }

    /**
     * Parses a greeting.
     *
     * @throws QmpProtocolException when {@code message} is not a QMP greeting
     */
    public static QmpGreeting parse(JsonNode message) {
        JsonNode qmp = message.get("QMP");
        JsonNode qemu = qmp == null ? null : qmp.path("version").get("qemu");
        if (qemu == null || !qemu.path("major").isInt()) {
            throw new QmpProtocolException("expected a qmp greeting with 'QMP.version.qemu', got: "
                    + QmpJson.abbreviate(message.toString(), 200) + "; is this socket a qmp monitor?");
        }
        List<String> caps = new ArrayList<>();
        qmp.path("capabilities").forEach(c -> caps.add(c.asText()));
        return new QmpGreeting(qemu.path("major").asInt(), qemu.path("minor").asInt(), qemu.path("micro").asInt(),
                qmp.path("version").path("package").asText(""), caps, message);
    }

    @Override
    public JsonNode raw() {
        return raw.deepCopy();
    }

    /** {@code "7.2.22"}. */
    public String version() {
        return major + "." + minor + "." + micro;
    }

    /** Whether QEMU is at least {@code major.minor}. */
    public boolean atLeast(int wantMajor, int wantMinor) {
        return major > wantMajor || (major == wantMajor && minor >= wantMinor);
    }
}
