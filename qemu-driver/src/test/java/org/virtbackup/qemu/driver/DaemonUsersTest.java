// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who uses a stopped domain's daemon: connections of live processes count, entries of dead ones go. */
class DaemonUsersTest {

    @TempDir
    Path run;

    @Test
    void anotherLiveConnectionCountsItselfDoesNotAndADeadProcessIsForgotten() throws Exception {
        DaemonUsers a = DaemonUsers.in(run);
        DaemonUsers b = DaemonUsers.in(run);
        assertThat(a.othersAlive()).isFalse();
        a.register();
        a.register(); // idempotent: a session registers before each connection
        assertThat(a.othersAlive()).as("itself only").isFalse();
        b.register();
        assertThat(a.othersAlive()).isTrue();
        b.unregister();
        assertThat(a.othersAlive()).isFalse();

        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path dead = Files.createFile(run.resolve("users/" + gone.pid() + "-killed"));
        Path junk = Files.createFile(run.resolve("users/not-a-pid"));
        assertThat(a.othersAlive()).as("a killed process uses nothing").isFalse();
        assertThat(dead).doesNotExist();
        assertThat(junk).doesNotExist();
        a.unregister();
        try (var left = Files.list(run.resolve("users"))) {
            assertThat(left).isEmpty();
        }
    }
}
