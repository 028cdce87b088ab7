// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A test on a fresh {@link DomainFixture} (a real QEMU with vda and vdb) in a temporary directory per test. */
abstract class DomainTest {

    @TempDir
    Path tmp;

    DomainFixture f;

    @BeforeEach
    void startDomain() {
        f = new DomainFixture(tmp);
    }

    @AfterEach
    void stopDomain() {
        f.close();
    }
}
