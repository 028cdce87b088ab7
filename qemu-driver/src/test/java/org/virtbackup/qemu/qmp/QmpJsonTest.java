// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QmpJsonTest {

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
