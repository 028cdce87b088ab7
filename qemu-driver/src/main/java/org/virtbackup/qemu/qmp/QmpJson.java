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
        // What the peer sent goes into our log: escape control and non-ASCII characters so that a broken or
        // hostile peer cannot forge log lines or garble terminals (log injection).
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < text.length() && sb.length() <= max; i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        return sb.length() <= max ? sb.toString() : sb.substring(0, max) + "...";
    }
}
