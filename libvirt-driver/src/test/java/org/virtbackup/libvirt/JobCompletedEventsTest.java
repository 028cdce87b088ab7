// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.libvirt.testing.EmbeddedLibvirt;
import org.virtbackup.libvirt.testing.RequiresLibvirt;
import org.virtbackup.libvirt.testing.TestDomain;

/**
 * The JNA binding of libvirt's JOB_COMPLETED event on its own: delivered per domain, once per job, not after the
 * subscription is closed, and refused once the connection's events are closed.
 */
@RequiresLibvirt
class JobCompletedEventsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static TestDomain a;
    static TestDomain b;

    @BeforeAll
    static void start() throws Exception {
        Connect admin = EmbeddedLibvirt.shared().admin();
        a = TestDomain.start(admin, "eva", java.nio.file.Files.createDirectories(dir.resolve("a")), 1, 8);
        b = TestDomain.start(admin, "evb", java.nio.file.Files.createDirectories(dir.resolve("b")), 1, 8);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (a != null) {
                a.close();
            }
        } finally {
            if (b != null) {
                b.close();
            }
        }
    }

    private static void pushAndWait(TestDomain vm, String target) throws Exception {
        vm.libvirt().backupBegin("<domainbackup><disks><disk name='vda' type='file'><target file='"
                + dir.resolve(target) + "'/></disk></disks></domainbackup>", null, 0);
        while (vm.libvirt().getJobStats(0).type != JobStats.NONE) {
            Thread.sleep(20);
        }
    }

    @Test
    void eachSubscriberHearsItsOwnDomainOnceAndNothingAfterClosing() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            Connect conn = new Connect(EmbeddedLibvirt.shared().uri());
            JobCompletedEvents events = new JobCompletedEvents(conn);
            try {
                BlockingQueue<String> heard = new LinkedBlockingQueue<>();
                JobCompletedEvents.Subscription subA = events.subscribe("eva", () -> heard.add("eva"));
                events.subscribe("evb", () -> heard.add("evb"));

                pushAndWait(a, "a1.qcow2");
                assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("eva");
                pushAndWait(b, "b1.qcow2");
                assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("evb");

                subA.close();
                pushAndWait(a, "a2.qcow2");
                pushAndWait(b, "b2.qcow2");
                assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("evb");
                assertThat(heard.poll(500, TimeUnit.MILLISECONDS)).isNull(); // eva's second job: unsubscribed
            } finally {
                events.close();
                conn.close();
            }
            assertThatThrownBy(() -> events.subscribe("eva", () -> { }))
                    .isInstanceOfSatisfying(VirtBackupException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONN));
        });
    }

    @Test
    void theEventLoopRunsOnItsOwnThread() {
        assertThat(EventLoop.isRunning()).isTrue();
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName).contains("libvirt-event-loop");
    }
}
