// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.virtbackup.qemu.driver.CheckpointQemu.bitmaps;
import static org.virtbackup.qemu.driver.CheckpointQemu.both;
import static org.virtbackup.qemu.driver.CheckpointQemu.create;

import java.net.URI;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.CheckpointCreateFlag;
import org.virtbackup.api.CheckpointDeleteFlag;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.CheckpointXmlFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * A stopped domain, as libvirt serves an inactive one: checkpoint metadata from the state directory alone,
 * libvirt's errors for everything that needs QEMU, and a QEMU started again under the same socket is used.
 */
@RequiresQemu
@Timeout(120)
class StoppedDomainTest extends DomainTest {

    @BeforeEach
    void checkpoints() {
        create(f.domain(), "c1");
        create(f.domain(), "c2");
        create(f.domain(), "c3");
        f.domain().checkpointLookupByName("c3").delete(EnumSet.of(CheckpointDeleteFlag.METADATA_ONLY));
        f.domain().checkpointRemoveBitmap("c3");
    }

    private Connection open(URI uri) {
        return Connections.open(uri, Map.of("stateDir", f.state.toString()));
    }

    private static List<String> names(List<DomainCheckpoint> cps) {
        return cps.stream().map(DomainCheckpoint::name).toList();
    }

    @Test
    void metadataWorksAfterAShutdownAndQemuWorkFailsAsForAnInactiveDomainUntilQemuIsBack() {
        URI uri = f.qemu.qmpUri("vm1");
        String c2Xml = f.domain().checkpointLookupByName("c2").getXmlDesc(EnumSet.of(CheckpointXmlFlag.SECURE));
        String c1Xml = f.domain().checkpointLookupByName("c1").getXmlDesc(EnumSet.of(CheckpointXmlFlag.NO_DOMAIN));
        f.disconnect();
        f.qemu.close();
        try (Connection conn = open(uri)) {
            Domain dom = conn.domain();
            assertThat(names(dom.listAllCheckpoints(Set.of()))).containsExactly("c1", "c2");
            assertThat(names(dom.listAllCheckpoints(EnumSet.of(CheckpointListFlag.ROOTS)))).containsExactly("c1");
            assertThat(names(dom.listAllCheckpoints(EnumSet.of(CheckpointListFlag.LEAVES)))).containsExactly("c2");
            assertThat(names(dom.listAllCheckpoints(EnumSet.of(CheckpointListFlag.NO_LEAVES)))).containsExactly("c1");
            assertThat(names(dom.listAllCheckpoints(EnumSet.of(CheckpointListFlag.TOPOLOGICAL)))).containsExactly("c1", "c2");
            DomainCheckpoint c2 = dom.checkpointLookupByName("c2");
            assertThat(c2.getXmlDesc(EnumSet.of(CheckpointXmlFlag.SECURE))).isEqualTo(c2Xml);
            assertThat(dom.checkpointLookupByName("c1").getXmlDesc(EnumSet.of(CheckpointXmlFlag.NO_DOMAIN))).isEqualTo(c1Xml);
            assertThat(c2.isCurrent()).isTrue();
            assertThat(c2.getParent()).map(DomainCheckpoint::name).contains("c1");
            assertThat(names(dom.checkpointLookupByName("c1").listAllChildren(EnumSet.of(CheckpointListFlag.DESCENDANTS))))
                    .containsExactly("c2");

            // redefine (not validate) and a metadata-only delete, from the store alone
            dom.checkpointCreateXml("<domaincheckpoint><name>c9</name><parent><name>c2</name></parent>"
                    + "<creationTime>1700000000</creationTime><disks><disk name='vda' checkpoint='bitmap'/>"
                    + "</disks></domaincheckpoint>", EnumSet.of(CheckpointCreateFlag.REDEFINE));
            assertThat(dom.checkpointLookupByName("c9").isCurrent()).isTrue();
            dom.checkpointLookupByName("c9").delete(EnumSet.of(CheckpointDeleteFlag.METADATA_ONLY));
            assertThat(names(dom.listAllCheckpoints(Set.of()))).containsExactly("c1", "c2");
            assertThat(dom.checkpointLookupByName("c2").isCurrent()).isTrue();

            assertQemuWorkFails(dom);

            // QEMU back under the same socket: the open connection uses it, and health agrees with the store
            try (EmbeddedQemu q2 = EmbeddedQemu.builder().workDir(tmp.resolve("qemu")).disk(f.vda, "vda")
                    .disk(f.vdb, "vdb").start()) {
                assertThat(q2.qmpUri("vm1")).isEqualTo(uri);
                assertThat(dom.checkpointHealth().ok()).as("%s", dom.checkpointHealth()).isTrue();
                assertThat(bitmaps(q2)).isEqualTo(both("c1", "c2"));
                assertThat(dom.checkpointLookupByName("c2").getXmlDesc(EnumSet.of(CheckpointXmlFlag.SIZE)))
                        .contains("bitmap='c2' size='0'");
            }
        }
    }

    /** Everything that needs QEMU: libvirt's code and message for an inactive domain, nothing changed. */
    private static void assertQemuWorkFails(Domain dom) {
        String notRunning = "domain is not running";
        DomainCheckpoint c2 = dom.checkpointLookupByName("c2");
        fails(() -> dom.backupStart("<domainbackup/>", null, Set.of()), ErrorCode.OPERATION_UNSUPPORTED,
                "cannot perform disk backup for inactive domain");
        fails(() -> dom.backupDryRun("<domainbackup/>", null, Set.of()), ErrorCode.OPERATION_UNSUPPORTED,
                "cannot perform disk backup for inactive domain");
        fails(() -> create(dom, "c4"), ErrorCode.OPERATION_UNSUPPORTED, "cannot create checkpoint for inactive domain");
        fails(() -> dom.checkpointCreateXml("<domaincheckpoint><name>c9</name><creationTime>1700000000</creationTime>"
                + "</domaincheckpoint>", EnumSet.of(CheckpointCreateFlag.REDEFINE, CheckpointCreateFlag.REDEFINE_VALIDATE)),
                ErrorCode.OPERATION_INVALID, notRunning);
        fails(() -> c2.getXmlDesc(EnumSet.of(CheckpointXmlFlag.SIZE)), ErrorCode.OPERATION_INVALID, notRunning);
        fails(() -> c2.delete(Set.of()), ErrorCode.OPERATION_UNSUPPORTED, "cannot delete checkpoint for inactive domain");
        fails(() -> c2.delete(EnumSet.of(CheckpointDeleteFlag.CHILDREN)), ErrorCode.OPERATION_UNSUPPORTED,
                "cannot delete checkpoint for inactive domain");
        fails(dom::checkpointHealth, ErrorCode.OPERATION_INVALID, notRunning);
        fails(() -> dom.checkpointAdoptBitmap("c3"), ErrorCode.OPERATION_INVALID, notRunning);
        fails(() -> dom.checkpointRemoveBitmap("c3"), ErrorCode.OPERATION_INVALID, notRunning);
        // what these may touch is unchanged
        assertThat(names(dom.listAllCheckpoints(Set.of()))).containsExactly("c1", "c2");
        assertThat(dom.currentBackup()).isEmpty();
    }

    private static void fails(ThrowingCallable call, ErrorCode code, String message) {
        VirtBackupException e = catchThrowableOfType(call, VirtBackupException.class);
        assertThat(e).as("expected %s", message).isNotNull().hasMessage(message);
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.domain()).isEqualTo(code == ErrorCode.OPERATION_INVALID ? ErrorDomain.DOMAIN : ErrorDomain.QEMU);
    }

    /**
     * SIGKILL leaves the socket file, refusing: the domain is stopped all the same, and the backup job QEMU
     * was running can be looked at and ended (its targets deleted).
     */
    @Test
    void aKilledQemuLeavesAStoppedDomainWhoseDeadJobEndsAndUnknownDomainsStillFailToOpen() {
        URI uri = f.qemu.qmpUri("vm1");
        Path vdaT = tmp.resolve("vda.t.qcow2");
        Path vdbT = tmp.resolve("vdb.t.qcow2");
        f.slow().backupStart(PushBackupTest.pushXml(null, vdaT, vdbT), null, Set.of());
        f.disconnect();
        f.qemu.kill();
        assertThat(f.qemu.qmpSocket()).exists();
        try (Connection conn = open(uri)) {
            BackupJob dead = conn.domain().currentBackup().orElseThrow();
            assertThat(dead.info().state()).isEqualTo(JobState.FAILED);
            JobInfo end = conn.domain().backupEnd(Set.of());
            assertThat(end.errorMessage()).hasValueSatisfying(m -> assertThat(m)
                    .startsWith("QEMU exited before the backup job ended"));
            assertThat(vdaT).doesNotExist();
            assertThat(vdbT).doesNotExist();
            assertThat(names(conn.domain().listAllCheckpoints(Set.of()))).containsExactly("c1", "c2");
            fails(() -> conn.domain().checkpointHealth(), ErrorCode.OPERATION_INVALID, "domain is not running");
            conn.domain().checkpointLookupByName("c2").delete(EnumSet.of(CheckpointDeleteFlag.METADATA_ONLY));
            assertThat(names(conn.domain().listAllCheckpoints(Set.of()))).containsExactly("c1");
        }
        VirtBackupException unknown = catchThrowableOfType(() -> open(f.qemu.qmpUri("vm2")), VirtBackupException.class);
        assertThat(unknown.code()).isEqualTo(ErrorCode.NO_CONNECT);
        assertThat(unknown).hasMessageContaining("cannot connect to QEMU at '" + f.qemu.qmpSocket() + "'")
                .hasMessageContaining("knows no domain 'vm2'");
        VirtBackupException unnamed = catchThrowableOfType(
                () -> Connections.open(URI.create("qmp+unix://" + f.qemu.qmpSocket()), Map.of("stateDir", f.state.toString())),
                VirtBackupException.class);
        assertThat(unnamed).hasMessageContaining("name it in the URI (?domain=NAME)");
    }
}
