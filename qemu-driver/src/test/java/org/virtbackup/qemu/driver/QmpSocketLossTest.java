// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.api.JobState;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.testing.QmpCutProxy;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * The QMP socket is lost under a running {@code backupStart} or {@code backupEnd}: a proxy in front of QEMU's
 * socket cuts the connection at a chosen command, before QEMU gets it or after QEMU ran it but before the
 * driver hears back. The call fails with a clear error; the next {@code backupEnd} from a new connection
 * cleans up (a cut start) or finishes (a cut end), nothing is left behind, and the next backup works.
 */
@RequiresQemu
@Timeout(180)
class QmpSocketLossTest extends DomainTest {

    private QmpCutProxy proxy(String command, int occurrence, QmpCutProxy.Cut cut) {
        return QmpCutProxy.start(tmp.resolve("proxy.sock"), f.qemu.qmpSocket(), command, occurrence, cut);
    }

    private Connection throughProxy(QmpCutProxy proxy) throws Exception {
        return Connections.open(new URI("qmp+unix", "", proxy.socket().toString(), "domain=vm1", null),
                Map.of("stateDir", f.state.toString()));
    }

    private String push(String name) {
        return PushBackupTest.pushXml(null, tmp.resolve("vda." + name + ".qcow2"), tmp.resolve("vdb." + name + ".qcow2"));
    }

    private String pull() {
        return PullChecks.pullXml(null, PullChecks.unixServer(tmp.resolve("nbd.sock")), tmp);
    }

    @ParameterizedTest(name = "{0} start, cut {3} {1} #{2}")
    @CsvSource({
        "push, blockdev-create, 1, BEFORE",
        "push, blockdev-create, 2, AFTER",
        "push, blockdev-add, 2, AFTER",
        "push, transaction, 1, BEFORE",
        "push, transaction, 1, AFTER",
        "pull, nbd-server-start, 1, AFTER",
        "pull, block-export-add, 2, AFTER"})
    void aStartThatLosesTheSocketIsCleanedUpByTheNextEnd(String mode, String command, int occurrence,
            QmpCutProxy.Cut cut) throws Exception {
        f.disconnect();
        VirtBackupException e;
        try (QmpCutProxy proxy = proxy(command, occurrence, cut); Connection c = throughProxy(proxy)) {
            e = catchThrowableOfType(() -> c.domain().backupStart(
                    mode.equals("push") ? push("bak") : pull(), PushBackupTest.checkpointXml("cp1"), Set.of()),
                    VirtBackupException.class);
            assertThat(proxy.hasCut()).as("the proxy cut at %s #%s (seen %s times; the start: %s)", command,
                    occurrence, proxy.seen(), e == null ? "returned" : e.getMessage()).isTrue();
        }
        assertThat(e).as("backupStart fails").isNotNull();
        assertThat(e.getMessage()).contains("qmp connection", "lost");

        Domain dom = f.reconnect();
        boolean onRecord = dom.currentBackup().isPresent();
        assertThat(e.getMessage().contains("backupEnd")).as("the error says to end the job left on record: %s",
                e.getMessage()).isEqualTo(onRecord);
        if (onRecord) {
            assertThat(dom.backupEnd(Set.of()).state()).isIn(JobState.CANCELLED, JobState.FAILED);
        }
        assertThat(dom.listAllCheckpoints(Set.<CheckpointListFlag>of())).as("no half-made checkpoint").isEmpty();
        f.assertNoLeftoversInQemu();
        assertThat(f.bitmaps()).as("no bitmap without metadata").isEmpty();
        assertThat(f.strayFiles()).as("no target or scratch file left").isEmpty();
        nextBackupWorks();
    }

    @ParameterizedTest(name = "{0} end, cut {3} {1} #{2}")
    @CsvSource({
        "push, job-dismiss, 1, AFTER",
        "push, blockdev-del, 1, AFTER",
        "push, blockdev-del, 3, BEFORE",
        "pull, block-export-del, 1, AFTER",
        "pull, nbd-server-stop, 1, AFTER"})
    void anEndThatLosesTheSocketIsFinishedByTheNextEnd(String mode, String command, int occurrence,
            QmpCutProxy.Cut cut) throws Exception {
        Domain started = f.reconnect();
        started.backupStart(mode.equals("push") ? push("bak") : pull(), PushBackupTest.checkpointXml("cp1"), Set.of());
        f.disconnect();
        if (mode.equals("push")) {
            // finished with nobody looking: the end below is the first to see it, and ends it with the full plan
            f.awaitConcludedInQemu("vb-backup-vda", "vb-backup-vdb");
        }
        try (QmpCutProxy proxy = proxy(command, occurrence, cut); Connection c = throughProxy(proxy)) {
            VirtBackupException e = catchThrowableOfType(() -> c.domain().backupEnd(Set.of()), VirtBackupException.class);
            assertThat(proxy.hasCut()).as("the proxy cut at %s #%s (seen %s times; the end: %s)", command, occurrence,
                    proxy.seen(), e == null ? "returned" : e.getMessage()).isTrue();
            assertThat(e).as("backupEnd fails").isNotNull();
        }

        assertThat(f.reconnect().backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
        f.assertNoLeftoversInQemu();
        assertThat(f.domain().checkpointLookupByName("cp1").isCurrent()).isTrue();
        if (mode.equals("push")) {
            f.flush();
            assertThat(f.identical(f.vda, tmp.resolve("vda.bak.qcow2"))).as("a completed backup keeps its targets").isTrue();
            assertThat(f.identical(f.vdb, tmp.resolve("vdb.bak.qcow2"))).isTrue();
            assertThat(f.strayFiles()).containsExactlyInAnyOrder("vda.bak.qcow2", "vdb.bak.qcow2");
        } else {
            assertThat(f.strayFiles()).as("scratch files and the socket are gone").isEmpty();
        }
        assertThat(f.bitmaps()).containsExactlyInAnyOrder("vda-format/cp1", "vdb-format/cp1");
    }

    private void nextBackupWorks() throws Exception {
        Domain dom = f.reconnect();
        assertThat(dom.backupStart(push("next"), PushBackupTest.checkpointXml("cp1"), Set.of())
                .awaitCompletion(Duration.ofSeconds(60)).state()).isEqualTo(JobState.COMPLETED);
        assertThat(dom.backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
        f.flush();
        assertThat(f.identical(f.vda, tmp.resolve("vda.next.qcow2"))).isTrue();
        assertThat(List.of(f.identical(f.vdb, tmp.resolve("vdb.next.qcow2")))).containsOnly(true);
    }
}
