// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test runs a real libvirt: its QEMU driver module, the {@code libvirt-qemu} user the package creates, libvirtd,
 * QEMU and qemu-img. Skipped on a developer's machine without them; with {@code -Dvirtbackup.test.requireQemu=true}
 * (CI) a missing piece is a failure, never a silent skip.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresLibvirtCondition.class)
public @interface RequiresLibvirt {
}
