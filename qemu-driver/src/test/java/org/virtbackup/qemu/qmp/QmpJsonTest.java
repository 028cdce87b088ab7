// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.virtbackup.qemu.json.JsonTrees;

class QmpJsonTest {

    /** What QEMU sends and what we send, the corners included; ObjectMapper's reading and writing is the oracle. */
    @ParameterizedTest
    @ValueSource(strings = {
        "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, \"package\": \"Debian 1:7.2\"}, \"capabilities\": [\"oob\"]}}",
        "{\"return\": [{\"node-name\": \"vda-format\", \"dirty-bitmaps\": [{\"name\": \"cp1\", \"count\": 0, \"granularity\": 65536, \"recording\": true, \"persistent\": true}], \"image\": {\"virtual-size\": 1073741824, \"actual-size\": 8589934592000}}], \"id\": \"vb-1\"}",
        "{\"return\": {\"max\": 18446744073709551615, \"min\": -9223372036854775808, \"big\": -18446744073709551616, \"i\": 2147483647, \"l\": 2147483648}}",
        "{\"return\": {\"ratio\": 0.5, \"exp\": 1e3, \"neg\": -2.25E-3}}",
        "{\"error\": {\"class\": \"GenericError\", \"desc\": \"quote \\\" slash \\\\ tab \\t nl \\n u \\u00e9 \\u001b snowman \u2603\"}}",
        "{\"event\": \"JOB_STATUS_CHANGE\", \"data\": {\"status\": \"concluded\", \"id\": \"j\"}, \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}",
        "{\"return\": {\"a\": null, \"t\": true, \"f\": false, \"e\": {}, \"ea\": [], \"nested\": [[1, [2, [3]]], {\"x\": [{}]}]}}",
        "{\"dup\": 1, \"dup\": 2}",
        "[1, \"two\"]"
    })
    void readsAndWritesAsObjectMapperDoes(String line) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode ours = JsonTrees.parse(line);
        assertThat(ours).isEqualTo(mapper.readTree(line));
        byte[] encoded = QmpJson.encodeLine(ours);
        String text = new String(encoded, StandardCharsets.UTF_8);
        assertThat(text).endsWith("\n").doesNotContain("\n\n");
        assertThat(text.strip()).isEqualTo(mapper.writeValueAsString(mapper.readTree(line)));
        assertThat(JsonTrees.parse(text.strip())).isEqualTo(ours);
        assertThat(JsonTrees.pretty(ours))
                .isEqualTo(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(mapper.readTree(line)) + "\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "{\"a\": 1} {\"b\": 2}", "{\"a\": }", "{\"a\": 1", "nope", "{\"a\": 1}]"})
    void aLineThatIsNotOneJsonValueIsRefused(String line) {
        assertThatThrownBy(() -> JsonTrees.parse(line)).isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void whatAPeerSentIsEscapedBeforeItReachesTheLog() {
        assertThat(QmpJson.abbreviate("ok\n[main] ERROR forged\u001b[2J\u00e9", 200))
                .isEqualTo("ok\\u000a[main] ERROR forged\\u001b[2J\\u00e9");
    }

    @Test
    void longTextIsCut() {
        assertThat(QmpJson.abbreviate("x".repeat(300), 200)).hasSize(203).endsWith("...");
        assertThat(QmpJson.abbreviate("x".repeat(200), 200)).hasSize(200);
    }
}
