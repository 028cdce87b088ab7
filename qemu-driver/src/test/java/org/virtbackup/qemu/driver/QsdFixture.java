// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.qemu.launch.DiskDataGenerator;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.StorageDaemon;
import org.virtbackup.qemu.store.DaemonFile;
import org.virtbackup.qemu.testing.StorageDaemons;

/**
 * A stopped VM for the {@code qsd} driver: two qcow2 disks of varied data (vda, vdb), its libvirt
 * {@code <domain>} XML, a state directory; and the same VM started (an {@link EmbeddedQemu} on the same images)
 * for the online half. {@link #close()} kills, by PID, any {@code qemu-storage-daemon} left on these images,
 * so that a failed test leaves nothing running; tests assert there is none before that.
 */
final class QsdFixture implements AutoCloseable {

    static final long SIZE = 32L << 20;

    final Path dir;
    final Path vda;
    final Path vdb;
    final Path state;
    final Path domainXml;
    private int starts;

    QsdFixture(Path dir) throws IOException {
        this(dir, ImageFormat.QCOW2);
    }

    /** With vdb in {@code vdbFormat} ({@code vdb.raw} when raw). */
    QsdFixture(Path dir, ImageFormat vdbFormat) throws IOException {
        this.dir = dir;
        this.vda = dir.resolve("vda.qcow2");
        this.vdb = dir.resolve("vdb." + vdbFormat.driver());
        this.state = dir.resolve("state");
        DiskDataGenerator.generate(vda, ImageFormat.QCOW2, SIZE, 1);
        DiskDataGenerator.generate(vdb, vdbFormat, SIZE, 2);
        this.domainXml = dir.resolve("domain.xml");
        writeDomainXml("file", vdbFormat.driver(), "file", vdb);
    }

    private void writeDomainXml(String vdbType, String vdbFormat, String vdbSourceAttribute, Path vdbSource)
            throws IOException {
        Files.writeString(domainXml, """
                <domain type='kvm'>
                  <name>vm1</name>
                  <devices>
                    <disk type='file' device='disk'>
                      <driver name='qemu' type='qcow2'/>
                      <source file='%s'/>
                      <target dev='vda' bus='virtio'/>
                    </disk>
                    <disk type='%s' device='disk'>
                      <driver name='qemu' type='%s'/>
                      <source %s='%s'/>
                      <target dev='vdb' bus='virtio'/>
                    </disk>
                  </devices>
                </domain>
                """.formatted(vda, vdbType, vdbFormat, vdbSourceAttribute, vdbSource));
    }

    /** vdb becomes the qcow2 on host block device {@code device} ({@code <disk type='block'>}). */
    void useBlockDeviceForVdb(Path device) throws IOException {
        writeDomainXml("block", "qcow2", "dev", device);
    }

    URI uri() {
        try {
            return new URI("qsd", "", domainXml.toString(), null, null);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An offline connection. */
    Connection offline() {
        return offline(Map.of());
    }

    Connection offline(Map<String, String> options) {
        Map<String, String> all = new java.util.HashMap<>(options);
        all.put("stateDir", state.toString());
        return Connections.open(uri(), all);
    }

    /** The VM started on the same images, as libvirt would name its nodes. */
    EmbeddedQemu startVm() {
        return EmbeddedQemu.builder().workDir(dir.resolve("qemu" + ++starts)).disk(vda, "vda").disk(vdb, "vdb").start();
    }

    /** An online connection to the started VM, with the same state directory, domain name and domain XML. */
    Connection online(EmbeddedQemu vm) {
        return online(vm, Map.of());
    }

    Connection online(EmbeddedQemu vm, Map<String, String> options) {
        Map<String, String> all = new java.util.HashMap<>(options);
        all.put("stateDir", state.toString());
        all.put("domainXml", domainXml.toString());
        return Connections.open(vm.qmpUri("vm1"), all);
    }

    Path domainDir() {
        return state.resolve("vm1");
    }

    Optional<DaemonFile> daemonOnRecord() {
        return DaemonFile.read(domainDir());
    }

    /** The pids of the running {@code qemu-storage-daemon} processes whose command line names this directory. */
    List<Long> daemonsRunning() throws IOException {
        return StorageDaemons.running(dir);
    }

    /** Writes {@code image} (a qcow2 file) onto block device {@code device}, from its first byte. */
    static void copyOnto(Path image, Path device) throws IOException {
        try (var in = java.nio.channels.FileChannel.open(image);
                var out = java.nio.channels.FileChannel.open(device, java.nio.file.StandardOpenOption.WRITE)) {
            long done = 0;
            while (done < in.size()) {
                done += in.transferTo(done, in.size() - done, out);
            }
            out.force(true);
        }
    }

    /** Writes {@code length} bytes of {@code pattern} into a stopped VM's image, as any tool might. */
    static void qemuIoWrite(Path image, long offset, long length, int pattern) throws Exception {
        Process p = new ProcessBuilder("qemu-io", "-f", "qcow2", "-c",
                String.format("write -P 0x%02x %d %d", pattern, offset, length), image.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || out.contains("error")) {
            throw new IllegalStateException("qemu-io failed: " + out);
        }
    }

    /** Whether process {@code pid} still runs (an exited daemon init has not reaped yet does not). */
    static boolean alive(long pid) {
        return StorageDaemon.running(pid);
    }

    /**
     * After a test: no {@code qemu-storage-daemon} of this directory runs, none is on record and no connection is
     * registered as using one; then closes (which
     * kills any, so that a failing test leaves none behind).
     */
    void assertNoDaemonLeftAndClose() throws IOException {
        try {
            assertThat(daemonsRunning()).as("qemu-storage-daemon left running").isEmpty();
            assertThat(daemonOnRecord()).as("a daemon still on record").isEmpty();
            Path users = domainDir().resolve("run/users");
            if (Files.isDirectory(users)) {
                try (Stream<Path> left = Files.list(users)) {
                    assertThat(left).as("connections still registered as users of a daemon").isEmpty();
                }
            }
        } finally {
            close();
        }
    }

    @Override
    public void close() throws IOException {
        StorageDaemons.kill(dir);
    }
}
