// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.launch.DiskDataGenerator;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.QemuImg;

/**
 * The main job on an embedded default: a QEMU of its own with two disks of varied data, then full push with a
 * checkpoint, guest writes, incremental push, a pull backup read over NBD while the guest writes, checkpoint
 * list and delete, each verified against its point-in-time data.
 */
final class Demo implements AutoCloseable {

    private static final List<String> DISKS = List.of("vda", "vdb");

    private final Path work;
    private final long size;
    private final PrintWriter out;
    private final DemoReport report = new DemoReport();
    private final EmbeddedQemu qemu;
    private final Connection conn;
    private final Domain dom;

    Demo(Path work, long size, PrintWriter out) {
        this.work = work;
        this.size = size;
        this.out = out;
        mkdirs(work.resolve("disks"));
        long t0 = System.nanoTime();
        for (int i = 0; i < DISKS.size(); i++) {
            DiskDataGenerator.generate(image(DISKS.get(i)), ImageFormat.QCOW2, size, 1000 + i);
        }
        say("created %d disks of %s with data, zeroes and holes in %s", DISKS.size(), JobInfoFormat.capacity(size),
                secs(System.nanoTime() - t0));
        this.qemu = EmbeddedQemu.builder().workDir(work.resolve("qemu")).disk(image("vda"), "vda")
                .disk(image("vdb"), "vdb").start();
        say("started QEMU (pid %d), QMP at %s", qemu.pid(), qemu.qmpSocket());
        this.conn = Connections.open(qemu.qmpUri("demo"), Map.of("stateDir", work.resolve("state").toString()));
        this.dom = conn.domain();
        mkdirs(work.resolve("backups"));
    }

    /** Runs every step; true when every check passed. */
    boolean run() throws IOException, InterruptedException {
        push("full push backup + checkpoint cp1", null, "cp1", "full");
        report.add(new DemoReport.Row("guest writes (data, zeroes, a discard)", "vda,vdb", guestWrites(1), null, null));
        push("incremental push since cp1 + checkpoint cp2", "cp1", "cp2", "inc1");
        pull();
        checkpoints();
        out.println();
        report.print(out);
        return report.allVerified();
    }

    private void push(String step, String since, String checkpoint, String tag) {
        StringBuilder xml = new StringBuilder("<domainbackup>");
        if (since != null) {
            xml.append("<incremental>").append(since).append("</incremental>");
        }
        xml.append("<disks>");
        DISKS.forEach(d -> xml.append("<disk name='").append(d).append("' type='file'><target file='")
                .append(target(d, tag)).append("'/></disk>"));
        xml.append("</disks></domainbackup>");
        long t0 = System.nanoTime();
        BackupJob job = dom.backupStart(xml.toString(), "<domaincheckpoint><name>" + checkpoint + "</name></domaincheckpoint>", Set.of());
        JobInfo done = job.awaitCompletion(Duration.ofMinutes(10));
        JobInfo end = dom.backupEnd(Set.of());
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        boolean ok = done.state() == JobState.COMPLETED && end.state() == JobState.COMPLETED;
        flush();
        for (String d : DISKS) {
            ok &= QemuImg.identical(image(d), target(d, tag), true);
        }
        say("%s: %s, %s copied; backup %s the disks", step, end.state(), JobInfoFormat.capacity(end.diskProcessed().orElse(0)),
                ok ? "equals" : "DIFFERS FROM");
        report.add(new DemoReport.Row(step, String.join(",", DISKS), end.diskProcessed().orElse(0), took, ok));
    }

    /** Writes five regions through the devices, as a guest would; returns the bytes written. */
    private long guestWrites(int seed) {
        long mib = 1 << 20;
        qemu.guestWrite("vda", size / 4, mib, 0x40 + seed);
        qemu.guestWrite("vda", size - 2 * mib, mib, 0x50 + seed);
        qemu.guestWriteZeroes("vdb", size / 2, mib);
        qemu.guestDiscard("vdb", 0, mib);
        qemu.guestWrite("vdb", size / 3, 3 * mib, 0x60 + seed);
        say("guest wrote 5 regions (data, zeroes, a discard)");
        return 7 * mib;
    }

    /** Pull: the point in time is the start; the guest keeps writing while an NBD client copies. */
    private void pull() throws IOException, InterruptedException {
        flush();
        for (String d : DISKS) {
            QemuImg.snapshotToRaw(image(d), ImageFormat.QCOW2, work.resolve("backups/" + d + ".reference.raw"));
        }
        Path socket = work.resolve("nbd.sock");
        String xml = "<domainbackup mode='pull'><server transport='unix' socket='" + socket + "'/></domainbackup>";
        long t0 = System.nanoTime();
        dom.backupStart(xml, "<domaincheckpoint><name>cp3</name></domaincheckpoint>", Set.of());
        boolean ok = true;
        long bytes = 0;
        for (String d : DISKS) {
            Path copy = work.resolve("backups/" + d + ".pull.raw");
            Process reader = new ProcessBuilder("nbdcopy", "nbd+unix:///" + d + "?socket=" + socket, copy.toString())
                    .redirectErrorStream(true).start();
            guestWrites(2); // lands while the reader copies; the export must not see it
            String output = new String(reader.getInputStream().readAllBytes());
            boolean copied = reader.waitFor() == 0;
            if (!copied) {
                say("nbdcopy of %s failed: %s", d, output.strip());
            }
            boolean same = copied && Files.mismatch(copy, work.resolve("backups/" + d + ".reference.raw")) == -1;
            ok &= same;
            bytes += copied ? Files.size(copy) : 0;
        }
        JobInfo end = dom.backupEnd(Set.of());
        ok &= end.state() == JobState.COMPLETED;
        say("pull backup over NBD (unix socket), read with nbdcopy while the guest wrote: %s",
                ok ? "equals the point-in-time data" : "DIFFERS");
        report.add(new DemoReport.Row("pull backup + checkpoint cp3, read via NBD", "vda,vdb", bytes,
                Duration.ofNanos(System.nanoTime() - t0), ok));
    }

    private void checkpoints() {
        long t0 = System.nanoTime();
        List<String> before = names();
        dom.checkpointLookupByName("cp1").delete(Set.of());
        List<String> after = names();
        boolean ok = before.equals(List.of("cp1", "cp2", "cp3")) && after.equals(List.of("cp2", "cp3"))
                && dom.checkpointLookupByName("cp2").getParent().isEmpty()
                && dom.checkpointLookupByName("cp3").isCurrent();
        say("checkpoints %s; after deleting cp1: %s", before, after);
        report.add(new DemoReport.Row("checkpoint list + delete cp1", "vda,vdb", -1, Duration.ofNanos(System.nanoTime() - t0), ok));
    }

    private List<String> names() {
        return dom.listAllCheckpoints(EnumSet.of(CheckpointListFlag.TOPOLOGICAL)).stream().map(DomainCheckpoint::name).toList();
    }

    private void flush() {
        DISKS.forEach(qemu::guestFlush);
    }

    private Path image(String disk) {
        return work.resolve("disks/" + disk + ".qcow2");
    }

    private Path target(String disk, String tag) {
        return work.resolve("backups/" + disk + "." + tag + ".qcow2");
    }

    private void say(String format, Object... args) {
        out.printf(format + "%n", args);
        out.flush();
    }

    private static String secs(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    private static Path mkdirs(Path p) {
        try {
            return Files.createDirectories(p);
        } catch (IOException e) {
            throw new VirtBackupException(org.virtbackup.api.ErrorCode.SYSTEM_ERROR, org.virtbackup.api.ErrorDomain.NONE,
                    "cannot create '" + p + "': " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            conn.close();
        } finally {
            qemu.close();
        }
    }
}
