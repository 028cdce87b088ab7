// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test needs {@code qemu-system-x86_64} and {@code qemu-img} on {@code PATH}. Without them the test is
 * skipped on a developer's machine, but fails when {@code -Dvirtbackup.test.requireQemu=true} (CI), so the
 * real-QEMU tests always run where it matters (STYLE.md point 13).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresQemuCondition.class)
public @interface RequiresQemu {
}
