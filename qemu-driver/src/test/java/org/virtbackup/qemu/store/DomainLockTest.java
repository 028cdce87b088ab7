// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;

@Timeout(30)
class DomainLockTest {

    @TempDir
    Path dir;

    @Test
    void secondThreadWaitsThenTimesOut() throws Exception {
        try (DomainLock held = DomainLock.acquire(dir, Duration.ofSeconds(1))) {
            var other = CompletableFuture.supplyAsync(() -> {
                try (DomainLock l = DomainLock.acquire(dir, Duration.ofMillis(100))) {
                    return "acquired";
                } catch (VirtBackupException e) {
                    return e.code().name();
                }
            });
            assertThat(other.get(5, TimeUnit.SECONDS)).isEqualTo("OPERATION_TIMEOUT");
        }
        try (DomainLock again = DomainLock.acquire(dir, Duration.ofMillis(100))) {
            assertThat(again).isNotNull();
        }
    }

    @Test
    void anotherProcessHoldingTheLockExcludesUsUntilItDies() throws Exception {
        Process child = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                LockHolder.class.getName(), dir.toString()))
                .redirectErrorStream(true).start();
        try {
            var reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertThat(reader.readLine()).isEqualTo("locked");
            assertThatThrownBy(() -> DomainLock.acquire(dir, Duration.ofMillis(200)))
                    .isInstanceOfSatisfying(VirtBackupException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_TIMEOUT))
                    .hasMessageContaining("another virtbackup operation on this domain is in progress");
        } finally {
            // A killed holder must not leave the domain locked: the kernel drops its lock.
            child.destroyForcibly().waitFor();
        }
        try (DomainLock l = DomainLock.acquire(dir, Duration.ofSeconds(5))) {
            assertThat(l).isNotNull();
        }
    }

    /** Child process: takes the lock, says so, and holds it until killed. */
    public static final class LockHolder {
        public static void main(String[] args) throws Exception {
            DomainLock lock = DomainLock.acquire(Path.of(args[0]), Duration.ofSeconds(5));
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
            lock.close();
        }
    }
}
