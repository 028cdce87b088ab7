// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test on a stopped VM of its own ({@link QsdFixture}, two qcow2 disks unless {@link #fixture} says otherwise)
 * that must leave no {@code qemu-storage-daemon} behind, running, on record or with a registered user.
 */
abstract class QsdVmTest {

    @TempDir
    Path tmp;

    QsdFixture f;

    /** The VM of each test; two qcow2 disks. */
    QsdFixture fixture(Path dir) throws Exception {
        return new QsdFixture(dir);
    }

    @BeforeEach
    void createVm() throws Exception {
        f = fixture(tmp);
    }

    @AfterEach
    void noDaemonLeft() throws Exception {
        f.assertNoDaemonLeftAndClose();
    }
}
