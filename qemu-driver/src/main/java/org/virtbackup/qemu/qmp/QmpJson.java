// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import org.virtbackup.qemu.json.JsonTrees;

/** The JSON-lines framing of the wire: one compact JSON object per line (the codec is {@link JsonTrees}). */
final class QmpJson {

    private QmpJson() {
    }

    /** One wire line for {@code message}, newline-terminated, UTF-8. */
    static byte[] encodeLine(JsonNode message) {
        byte[] json = JsonTrees.compact(message);
        byte[] line = Arrays.copyOf(json, json.length + 1);
        line[json.length] = '\n';
        return line;
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
