// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;

/** The JSON-lines codec of the wire: one compact JSON object per line. */
final class QmpJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private QmpJson() {
    }

    /** One wire line for {@code message}, newline-terminated, UTF-8. */
    static byte[] encodeLine(JsonNode message) {
        try {
            return (MAPPER.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode qmp message: " + e.getOriginalMessage(), e);
        }
    }

    /** Parses one line; QEMU ends lines with CRLF, which the caller's line reader has already removed. */
    static JsonNode parse(String line) throws JsonProcessingException {
        return MAPPER.readTree(line);
    }

    /** A short, single-line rendering for logs and messages. */
    static String abbreviate(String text, int max) {
        String oneLine = text.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, max) + "...";
    }
}
