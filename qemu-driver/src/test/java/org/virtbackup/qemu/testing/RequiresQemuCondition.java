// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.testing;

import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.virtbackup.qemu.launch.QemuBinaries;

/** Evaluates {@link RequiresQemu}. */
public final class RequiresQemuCondition implements ExecutionCondition {
    /** System property that turns a skip into a failure; the root pom passes it to surefire. */
    public static final String REQUIRE_PROPERTY = "virtbackup.test.requireQemu";

    private static final List<String> BINARIES = List.of(QemuBinaries.SYSTEM_X86_64, QemuBinaries.QEMU_IMG);

    private final Predicate<String> installed;

    /** Looks the binaries up on {@code PATH}. */
    public RequiresQemuCondition() {
        this(b -> QemuBinaries.find(b).isPresent());
    }

    RequiresQemuCondition(Predicate<String> installed) {
        this.installed = installed;
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        List<String> missing = BINARIES.stream().filter(installed.negate()).toList();
        if (missing.isEmpty()) {
            return ConditionEvaluationResult.enabled("qemu binaries found");
        }
        String why = "missing on PATH: " + String.join(", ", missing) + " (install: "
                + String.join("; ", missing.stream().map(QemuBinaries::installHint).distinct().toList()) + ")";
        if (Boolean.getBoolean(REQUIRE_PROPERTY)) {
            // thrown, not a disabled result: CI must fail rather than silently skip the real-QEMU tests
            throw new ExtensionConfigurationException(why + ", and -D" + REQUIRE_PROPERTY + "=true requires QEMU");
        }
        return ConditionEvaluationResult.disabled(why);
    }
}
