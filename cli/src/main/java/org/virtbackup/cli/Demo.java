// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
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
 * list and delete; then the VM stopped, an offline incremental with a new checkpoint on a
 * {@code qemu-storage-daemon} ({@code qsd:}), QEMU started again on the same images and an online incremental
 * from the offline checkpoint. Each backup is verified against its point-in-time data.
 */
final class Demo implements AutoCloseable {

    private static final List<String> DISKS = List.of("vda", "vdb");
    private static final String DOMAIN = "demo";

    private final Path work;
    private final long size;
    private final PrintWriter out;
    private final DemoReport report = new DemoReport();
    /** The running VM and the connection to it; null while the VM is stopped. */
    private EmbeddedQemu qemu;
    private Connection conn;
    private Domain dom;
    private int starts;

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
        startVm();
        mkdirs(work.resolve("backups"));
    }

    /** Starts QEMU on the disk images (again) and connects to it; the state directory keeps the checkpoints. */
    private void startVm() {
        starts++;
        EmbeddedQemu started = EmbeddedQemu.builder().workDir(work.resolve(starts == 1 ? "qemu" : "qemu" + starts))
                .disk(image("vda"), "vda").disk(image("vdb"), "vdb").start();
        try {
            conn = Connections.open(started.qmpUri(DOMAIN), state());
        } catch (RuntimeException e) {
            started.close();
            throw e;
        }
        qemu = started;
        dom = conn.domain();
        say("started QEMU (pid %d), QMP at %s", qemu.pid(), qemu.qmpSocket());
    }

    /** Quits QEMU, as a guest shutdown would; its clean exit writes the checkpoints' bitmaps into the images. */
    private void stopVm() {
        stopVm(true);
    }

    private void stopVm(boolean tell) {
        long pid = qemu.pid();
        try {
            conn.close();
        } finally {
            qemu.close();
            qemu = null;
            conn = null;
            dom = null;
        }
        if (tell) {
            say("stopped QEMU (pid %d)", pid);
        }
    }

    private Map<String, String> state() {
        return Map.of("stateDir", work.resolve("state").toString());
    }

    /** Runs every step; true when every check passed. */
    boolean run() throws IOException, InterruptedException {
        push("full push backup + checkpoint cp1", null, "cp1", "full");
        report.add(new DemoReport.Row("guest writes (data, zeroes, a discard)", "vda,vdb", guestWrites(1), null, null));
        push("incremental push since cp1 + checkpoint cp2", "cp1", "cp2", "inc1");
        pull();
        checkpoints();
        offline();
        out.println();
        report.print(out);
        return report.allVerified();
    }

    private void push(String step, String since, String checkpoint, String tag) {
        push(dom, step, since, checkpoint, tag);
    }

    private void push(Domain on, String step, String since, String checkpoint, String tag) {
        StringBuilder xml = new StringBuilder("<domainbackup>");
        if (since != null) {
            xml.append("<incremental>").append(since).append("</incremental>");
        }
        xml.append("<disks>");
        DISKS.forEach(d -> xml.append("<disk name='").append(d).append("' type='file'><target file='")
                .append(target(d, tag)).append("'/></disk>"));
        xml.append("</disks></domainbackup>");
        long t0 = System.nanoTime();
        BackupJob job = on.backupStart(xml.toString(), "<domaincheckpoint><name>" + checkpoint + "</name></domaincheckpoint>", Set.of());
        JobInfo done = job.awaitCompletion(Duration.ofMinutes(10));
        JobInfo end = on.backupEnd(Set.of());
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
            Process reader = new ProcessBuilder("nbdcopy", nbdUri(d, socket), copy.toString())
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

    /**
     * The VM stops; an offline incremental since cp2 with checkpoint cp4 runs on a {@code qemu-storage-daemon}
     * over its images ({@code qsd:}, the same state directory and domain name); QEMU starts again and an online
     * incremental starts from cp4. Each incremental, on the chain of its predecessors, equals the disks.
     */
    private void offline() {
        stopVm();
        Path domainXml = writeDomainXml();
        try (Connection offline = Connections.open(qsdUri(domainXml), state())) {
            say("opened %s: the stopped VM's images, on qemu-storage-daemon", offline.uri());
            push(offline.domain(), "offline incremental since cp2 + cp4 (qsd:)", "cp2", "cp4", "offline");
        }
        startVm();
        report.add(new DemoReport.Row("guest writes after QEMU started again", "vda,vdb", guestWrites(3), null, null));
        push("online incremental since cp4 + cp5", "cp4", "cp5", "inc3");
        DomainCheckpoint cp5 = dom.checkpointLookupByName("cp5");
        boolean ok = names().equals(List.of("cp2", "cp3", "cp4", "cp5"))
                && cp5.getParent().map(DomainCheckpoint::name).equals(java.util.Optional.of("cp4"));
        say("checkpoints, online and offline: %s", names());
        report.add(new DemoReport.Row("one checkpoint history online and offline", "vda,vdb", -1, null, ok));
    }

    /** {@code qsd:///PATH}, with the path quoted where it must be (a --workdir with spaces). */
    private static URI qsdUri(Path domainXml) {
        return uri("qsd", domainXml.toString(), null);
    }

    /** The NBD URI of export {@code disk} on a unix socket, quoted as libnbd parses it. */
    private static String nbdUri(String disk, Path socket) {
        return uri("nbd+unix", "/" + disk, "socket=" + socket).toASCIIString();
    }

    private static URI uri(String scheme, String path, String query) {
        try {
            return new URI(scheme, "", path, query, null);
        } catch (java.net.URISyntaxException e) {
            throw new VirtBackupException(org.virtbackup.api.ErrorCode.INVALID_ARG, org.virtbackup.api.ErrorDomain.NONE,
                    "no " + scheme + " URI for '" + path + "': " + e.getMessage(), e);
        }
    }

    /** The VM as libvirt would define it: the offline driver's input. */
    private Path writeDomainXml() {
        StringBuilder xml = new StringBuilder("<domain type='kvm'>\n  <name>" + DOMAIN + "</name>\n  <devices>\n");
        DISKS.forEach(d -> xml.append("    <disk type='file' device='disk'>\n      <driver name='qemu' type='qcow2'/>\n")
                .append("      <source file='").append(image(d)).append("'/>\n      <target dev='").append(d)
                .append("' bus='virtio'/>\n    </disk>\n"));
        xml.append("  </devices>\n</domain>\n");
        Path file = work.resolve("domain.xml");
        try {
            return Files.writeString(file, xml);
        } catch (IOException e) {
            throw new VirtBackupException(org.virtbackup.api.ErrorCode.SYSTEM_ERROR, org.virtbackup.api.ErrorDomain.NONE,
                    "cannot write '" + file + "': " + e.getMessage(), e);
        }
    }

    private List<String> names() {
        return dom.listAllCheckpoints(EnumSet.of(CheckpointListFlag.TOPOLOGICAL)).stream().map(DomainCheckpoint::name).toList();
    }

    private void flush() {
        if (qemu != null) {
            DISKS.forEach(qemu::guestFlush);
        }
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
        if (qemu != null) {
            stopVm(false);
        }
    }
}
