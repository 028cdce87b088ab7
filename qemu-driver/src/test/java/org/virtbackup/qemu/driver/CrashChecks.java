// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.virtbackup.api.CheckpointDeleteFlag;
import org.virtbackup.api.CheckpointDiskState;
import org.virtbackup.api.CheckpointHealth;
import org.virtbackup.api.Domain;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.qemu.exec.Failpoint;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.store.CheckpointStore;
import org.virtbackup.qemu.store.DomainLock;
import org.virtbackup.xml.model.CheckpointDef;

/** What the crash suites check after a child JVM died at a failpoint, and the repair a user would make. */
final class CrashChecks {

    private CrashChecks() {
    }

    /** Runs {@link DriverChild} with {@code -Dvirtbackup.failpoint=FAILPOINT}; asserts it died there. */
    static void dieAt(String failpoint, List<String> jvmOptions, String... args) throws Exception {
        List<String> options = new ArrayList<>(jvmOptions);
        options.add("-Dvirtbackup.failpoint=" + failpoint);
        DriverChild.Exit exit = DriverChild.runWith(options, args);
        assertThat(exit.status()).as("the child died at %s (output: %s)", failpoint, exit.output())
                .isEqualTo(Failpoint.STATUS);
    }

    /**
     * The store and QEMU's bitmaps agree, or the health report names every difference: a bitmap a checkpoint
     * claims that the disk lacks is reported missing, a bitmap no checkpoint claims is an orphan.
     */
    static CheckpointHealth assertDifferencesAreReported(DomainFixture f, Domain dom) {
        CheckpointHealth health = dom.checkpointHealth();
        Map<String, List<String>> inQemu = CheckpointQemu.bitmaps(f.qemu);
        Set<String> claimed = new LinkedHashSet<>();
        for (CheckpointDef def : new CheckpointStore(f.state.resolve("vm1")).loadAll().values()) {
            String cp = def.name().orElseThrow();
            CheckpointSizer.bitmapByDisk(def).forEach((disk, bitmap) -> {
                claimed.add(disk + "/" + bitmap);
                if (!inQemu.get(disk).contains(bitmap)) {
                    assertThat(health.problems()).as("checkpoint '%s' claims bitmap '%s' that disk '%s' lacks", cp,
                            bitmap, disk).anyMatch(p -> p.checkpoint().equals(cp) && p.disk().equals(disk)
                                    && p.state() == CheckpointDiskState.MISSING && !p.repair().isEmpty());
                }
            });
        }
        inQemu.forEach((disk, names) -> names.stream().filter(b -> !claimed.contains(disk + "/" + b))
                .forEach(b -> assertThat(health.orphans()).as("bitmap '%s' of '%s' without checkpoint", b, disk)
                        .anyMatch(o -> o.disk().equals(disk) && o.bitmap().equals(b))));
        return health;
    }

    /**
     * Does what the report offers: a checkpoint with a missing bitmap loses its metadata only (then its copies on
     * other disks go); orphans are adopted ({@code adopt}) or removed. Afterwards the report is ok.
     */
    static void repair(Domain dom, CheckpointHealth health, boolean adopt) {
        Set<String> broken = new LinkedHashSet<>();
        health.problems().forEach(p -> {
            assertThat(p.state()).as("a crash can only lose bitmaps: %s", p).isEqualTo(CheckpointDiskState.MISSING);
            broken.add(p.checkpoint());
        });
        for (String cp : broken) {
            String repair = health.problems().stream().filter(p -> p.checkpoint().equals(cp)).findFirst()
                    .orElseThrow().repair();
            assertThat(repair).contains("'checkpoint-delete " + cp + " --metadata'");
            dom.checkpointLookupByName(cp).delete(EnumSet.of(CheckpointDeleteFlag.METADATA_ONLY));
            if (repair.contains("checkpoint-remove-bitmap")) {
                dom.checkpointRemoveBitmap(cp);
            }
        }
        Set<String> orphans = new LinkedHashSet<>();
        dom.checkpointHealth().orphans().forEach(o -> orphans.add(o.bitmap()));
        for (String bitmap : orphans) {
            if (adopt) {
                dom.checkpointAdoptBitmap(bitmap);
            } else {
                dom.checkpointRemoveBitmap(bitmap);
            }
        }
        assertThat(dom.checkpointHealth().ok()).as("repaired: %s", dom.checkpointHealth()).isTrue();
    }

    /**
     * The domain's state directory holds only the store's own files: no temporary file of an interrupted
     * write, no job record, backup targets only for existing checkpoints; and the dead child's lock is free.
     */
    static void assertStateDirectoryClean(DomainFixture f) throws Exception {
        Path domainDir = f.state.resolve("vm1");
        try (DomainLock lock = DomainLock.acquire(domainDir, Duration.ofMillis(100))) {
            assertThat(lock).isNotNull();
        }
        Set<String> checkpoints = new CheckpointStore(domainDir).loadAll().keySet();
        try (Stream<Path> s = Files.walk(domainDir)) {
            List<String> files = s.filter(Files::isRegularFile).map(p -> domainDir.relativize(p).toString()).toList();
            assertThat(files).as("files in the state directory").allSatisfy(n -> assertThat(
                    n.equals("lock") || n.equals("last-job.json") || n.equals("checkpoints/current") || n.equals("health-logged.txt")
                            || n.equals("qemu-capabilities.json") || n.equals("checkpoints/index")
                            || checkpoints.stream().anyMatch(cp -> n.equals("checkpoints/" + cp + ".xml")
                                    || n.equals("backups/" + cp + ".json")))
                    .as("'%s' belongs to the store", n).isTrue());
        }
    }

    /** A full push backup creating checkpoint {@code cp}, guest writes, then an incremental equal to the disks. */
    static void fullThenVerifiedIncremental(DomainFixture f, Domain dom, String cp) {
        Path out = f.dir.resolve("verify-" + cp);
        backup(dom, PushBackupTest.pushXml(null, out.resolveSibling(cp + ".vda.full.qcow2"),
                out.resolveSibling(cp + ".vdb.full.qcow2")), cp);
        f.qemu.guestWrite("vda", 1 << 20, 64 << 10, 0x5a);
        f.qemu.guestWrite("vdb", 3 << 20, 128 << 10, 0xa5);
        Path vda = out.resolveSibling(cp + ".vda.inc.qcow2");
        Path vdb = out.resolveSibling(cp + ".vdb.inc.qcow2");
        backup(dom, PushBackupTest.pushXml(cp, vda, vdb), cp + "-inc");
        f.flush();
        assertThat(QemuImg.info(vda, true).backingFile()).as("an incremental").isPresent();
        assertThat(f.identical(f.vda, vda)).as("vda: full <- incremental equals the disk").isTrue();
        assertThat(f.identical(f.vdb, vdb)).as("vdb: full <- incremental equals the disk").isTrue();
    }

    /**
     * Makes a shared fixture fresh for the next case: no connection, no bitmap in QEMU, and nothing in its
     * directory besides the disks and QEMU's own files; the state directory keeps only the cached QEMU
     * capabilities (they belong to the QEMU, which stays).
     */
    static void reset(DomainFixture f) throws Exception {
        f.disconnect();
        CheckpointQemu.bitmaps(f.qemu).forEach((disk, names) -> names.forEach(
                b -> CheckpointQemu.removeBehindOurBack(f.qemu, disk, b)));
        Set<Path> keep = Set.of(f.vda, f.vdb, f.dir.resolve("qemu"), f.state, f.state.resolve("vm1"),
                f.state.resolve("vm1").resolve("qemu-capabilities.json"));
        try (Stream<Path> s = Files.list(f.dir)) {
            for (Path p : s.filter(p -> !keep.contains(p) || p.equals(f.state)).toList()) {
                try (Stream<Path> tree = Files.walk(p)) {
                    for (Path q : tree.sorted(Comparator.reverseOrder()).filter(q -> !keep.contains(q)).toList()) {
                        Files.delete(q);
                    }
                }
            }
        }
    }

    /** A push backup to its completed end. */
    static void backup(Domain dom, String xml, String checkpoint) {
        JobInfo done = dom.backupStart(xml, PushBackupTest.checkpointXml(checkpoint), Set.of())
                .awaitCompletion(Duration.ofSeconds(60));
        assertThat(done.state()).as("%s", done).isEqualTo(JobState.COMPLETED);
        assertThat(dom.backupEnd(Set.of()).state()).isEqualTo(JobState.COMPLETED);
    }
}
