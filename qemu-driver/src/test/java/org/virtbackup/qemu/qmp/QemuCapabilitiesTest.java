// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The schema probe on the captured QEMU 7.2.22 schema, and on copies with features removed. */
class QemuCapabilitiesTest {
    private static JsonNode schema() throws IOException {
        try (InputStream in = QemuCapabilitiesTest.class.getResourceAsStream("qemu-7.2.22-schema.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void qemu72HasEverything() throws IOException {
        assertThat(QemuCapabilities.fromSchema(schema())).isEqualTo(QemuCapabilities.QEMU_7_2);
    }

    @Test
    void aQemuWithoutCopyBeforeWriteIsSeenAsSuch() throws IOException {
        JsonNode s = schema();
        for (JsonNode e : s) {
            if ("enum".equals(e.path("meta-type").asText())) {
                removeText((ArrayNode) e.path("values"), "copy-before-write");
                Iterator<JsonNode> it = e.path("members").iterator();
                while (it.hasNext()) {
                    if (it.next().path("name").asText().equals("copy-before-write")) {
                        it.remove();
                    }
                }
            }
        }
        QemuCapabilities c = QemuCapabilities.fromSchema(s);
        assertThat(c.copyBeforeWrite()).isFalse();
        assertThat(c.cbwOnError()).isFalse();
        assertThat(c.snapshotAccess()).isTrue();
    }

    @Test
    void aQemuWithoutBlockExportAddOrXPerfIsSeenAsSuch() throws IOException {
        JsonNode s = schema();
        QmpSchema idx = QmpSchema.of(s);
        assertThat(idx.argumentMembers("blockdev-backup", Optional.empty())).contains("x-perf", "job-id", "sync");
        Iterator<JsonNode> it = s.iterator();
        while (it.hasNext()) {
            if (it.next().path("name").asText().equals("block-export-add")) {
                it.remove();
            }
        }
        String backupArgs = QmpSchema.of(s).hasCommand("blockdev-backup") ? argType(s, "blockdev-backup") : null;
        for (JsonNode e : s) {
            if (e.path("name").asText().equals(backupArgs)) {
                Iterator<JsonNode> m = e.path("members").iterator();
                while (m.hasNext()) {
                    if (m.next().path("name").asText().equals("x-perf")) {
                        m.remove();
                    }
                }
            }
        }
        QemuCapabilities c = QemuCapabilities.fromSchema(s);
        assertThat(c.blockExportAdd()).isFalse();
        assertThat(c.backupXPerf()).isFalse();
        assertThat(c.copyBeforeWrite()).isTrue();
    }

    @Test
    void theSchemaIndexAnswersEventsAndVariants() throws IOException {
        QmpSchema idx = QmpSchema.of(schema());
        assertThat(idx.hasEvent("JOB_STATUS_CHANGE")).isTrue();
        assertThat(idx.hasCommand("JOB_STATUS_CHANGE")).isFalse();
        assertThat(idx.hasCommand("block-dirty-bitmap-populate")).isFalse(); // not in 7.2, notes §0
        assertThat(idx.argumentMembers("blockdev-add", Optional.of("copy-before-write")))
                .contains("driver", "node-name", "file", "target", "bitmap", "on-cbw-error", "cbw-timeout");
    }

    @Test
    void somethingThatIsNotASchemaIsRejected() {
        ObjectNode notArray = new ObjectMapper().createObjectNode();
        assertThatThrownBy(() -> QemuCapabilities.fromSchema(notArray))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("query-qmp-schema");
    }

    private static String argType(JsonNode s, String command) {
        for (JsonNode e : s) {
            if (e.path("name").asText().equals(command)) {
                return e.path("arg-type").asText();
            }
        }
        return null;
    }

    private static void removeText(ArrayNode a, String text) {
        for (int i = a.size() - 1; i >= 0; i--) {
            if (a.get(i).asText().equals(text)) {
                a.remove(i);
            }
        }
    }
}
