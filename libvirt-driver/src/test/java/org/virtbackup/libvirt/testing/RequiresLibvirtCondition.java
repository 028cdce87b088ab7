// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Evaluates {@link RequiresLibvirt}. */
public final class RequiresLibvirtCondition implements ExecutionCondition {
    /** System property that turns a skip into a failure; the root pom passes it to surefire. */
    public static final String REQUIRE_PROPERTY = "virtbackup.test.requireQemu";

    static final String INSTALL = "apt-get install -y --no-install-recommends libvirt-daemon-system libvirt-clients "
            + "qemu-system-x86 qemu-utils (or scripts/ensure-packages as root)";

    private static final List<Path> FILES = List.of(
            Path.of("/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so"),
            Path.of("/usr/sbin/libvirtd"), Path.of("/usr/bin/virsh"),
            Path.of("/usr/bin/qemu-system-x86_64"), Path.of("/usr/bin/qemu-img"));

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        List<String> missing = missing();
        if (missing.isEmpty()) {
            return ConditionEvaluationResult.enabled("libvirt and QEMU found");
        }
        String why = "libvirt cannot run here, missing: " + String.join(", ", missing) + " (install: " + INSTALL + ")";
        if (Boolean.getBoolean(REQUIRE_PROPERTY)) {
            // thrown, not a disabled result: CI must fail rather than silently skip the real-libvirt tests
            throw new ExtensionConfigurationException(why + ", and -D" + REQUIRE_PROPERTY + "=true requires it");
        }
        return ConditionEvaluationResult.disabled(why);
    }

    /** What is missing for a real libvirt, empty when nothing is. */
    public static List<String> missing() {
        List<String> missing = new ArrayList<>();
        for (Path p : FILES) {
            if (!Files.exists(p)) {
                missing.add(p.toString());
            }
        }
        // the embedded driver fails at start without this user, whatever qemu.conf says
        // (libvirt-driver-notes.md, "Packages")
        if (!userExists("libvirt-qemu")) {
            missing.add("user libvirt-qemu");
        }
        // the tests' qemu.conf runs QEMU as root, mounts private directories and a tmpfs
        if (!"root".equals(System.getProperty("user.name"))) {
            missing.add("root (the tests run libvirt's QEMU as root)");
        }
        return missing;
    }

    private static boolean userExists(String user) {
        try {
            return Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith(user + ":"));
        } catch (IOException e) {
            return false;
        }
    }
}
