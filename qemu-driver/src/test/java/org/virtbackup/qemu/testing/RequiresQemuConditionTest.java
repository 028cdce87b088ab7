// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

class RequiresQemuConditionTest {
    private final String saved = System.getProperty(RequiresQemuCondition.REQUIRE_PROPERTY);

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty(RequiresQemuCondition.REQUIRE_PROPERTY);
        } else {
            System.setProperty(RequiresQemuCondition.REQUIRE_PROPERTY, saved);
        }
    }

    @Test
    void enabledWhenBothBinariesAreThere() {
        assertThat(new RequiresQemuCondition(b -> true).evaluateExecutionCondition(null).isDisabled()).isFalse();
    }

    @Test
    void skipsWhenMissingOnADevelopersMachine() {
        System.setProperty(RequiresQemuCondition.REQUIRE_PROPERTY, "false");
        ConditionEvaluationResult r = new RequiresQemuCondition(b -> b.equals("qemu-img"))
                .evaluateExecutionCondition(null);
        assertThat(r.isDisabled()).isTrue();
        assertThat(r.getReason()).get().asString().contains("qemu-system-x86_64").contains("apt-get install");
    }

    @Test
    void failsWhenMissingAndRequired() {
        System.setProperty(RequiresQemuCondition.REQUIRE_PROPERTY, "true");
        assertThatThrownBy(() -> new RequiresQemuCondition(b -> false).evaluateExecutionCondition(null))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageContaining("qemu-system-x86_64, qemu-img").hasMessageContaining("requires QEMU");
    }
}
