// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.qemu.launch.DiskDataGenerator;
import org.virtbackup.qemu.launch.EmbeddedQemu;
import org.virtbackup.qemu.launch.EmbeddedQemuBuilder;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.QemuDisk;

/**
 * Identical disks on two domains: one generated qcow2 image (random data, repeated bytes, zeroes, holes; at
 * least half data) copied sparsely to {@code q/vda.qcow2, q/vdb.qcow2, ...} for a QEMU we start (our QEMU driver)
 * and to {@code lv/vd?.qcow2} for a domain libvirt's embedded driver runs ({@code lv/root}). The three sides:
 * {@code ours} on the first, {@code libvirt-driver} and {@code libvirt-java} on the second. {@link #close()}
 * closes the connections, destroys the libvirt domain, stops QEMU by PID and deletes the directory.
 */
final class SideBySide implements AutoCloseable {
    final Path dir;
    final List<String> disks;
    final long diskSize;
    final long dataBytes;
    private final EmbeddedQemu qemu;
    private final LibvirtVm vm;
    private final ApiSide ours;
    private final ApiSide driver;
    private final LibvirtJavaSide plain;

    private SideBySide(Path dir, List<String> disks, long diskSize, long dataBytes, EmbeddedQemu qemu, LibvirtVm vm)
            throws Exception {
        this.dir = dir;
        this.disks = List.copyOf(disks);
        this.diskSize = diskSize;
        this.dataBytes = dataBytes;
        this.qemu = qemu;
        this.vm = vm;
        Connection q = Connections.open(qemu.qmpUri("vm1"), Map.of("stateDir", dir.resolve("q/state").toString()));
        this.ours = new ApiSide("ours", dir.resolve("q"), disks, q);
        this.driver = new ApiSide("libvirt-driver", dir.resolve("lv"), disks, Connections.open(vm.apiUri()));
        this.plain = new LibvirtJavaSide(dir.resolve("lv"), vm);
    }

    /** Creates the directory under {@code parent}, {@code n} disks of {@code size} bytes, and both domains. */
    static SideBySide create(Path parent, int n, long size, long seed) throws Exception {
        if (n < 1 || n > 26) {
            throw new IllegalArgumentException("1 to 26 disks, not " + n);
        }
        Files.createDirectories(parent);
        Path dir = Files.createTempDirectory(parent, "virtbackup-bench-");
        EmbeddedQemu qemu = null;
        try {
            Path template = dir.resolve("template.qcow2");
            DiskDataGenerator.generate(template, ImageFormat.QCOW2, size, seed);
            long data = Fixture.dataBytes(template);
            if (data < size / 2) {
                throw new IllegalStateException("the generated disk holds only " + data + " bytes of data for " + size
                        + " bytes; the benchmark needs at least half");
            }
            List<String> names = new ArrayList<>();
            List<Path> lvImages = new ArrayList<>();
            EmbeddedQemuBuilder b = EmbeddedQemu.builder().workDir(dir.resolve("q/qemu"));
            for (int i = 0; i < n; i++) {
                String name = "vd" + (char) ('a' + i);
                names.add(name);
                Path q = Files.createDirectories(dir.resolve("q")).resolve(name + ".qcow2");
                Path lv = Files.createDirectories(dir.resolve("lv")).resolve(name + ".qcow2");
                Commands.run("cp", "--sparse=always", template.toString(), q.toString());
                Commands.run("cp", "--sparse=always", template.toString(), lv.toString());
                b.disk(QemuDisk.qcow2(q, name));
                lvImages.add(lv);
            }
            Files.delete(template);
            qemu = b.start();
            LibvirtVm vm = LibvirtVm.start(dir.resolve("lv/root"), names, lvImages);
            try {
                return new SideBySide(dir, names, size, data, qemu, vm);
            } catch (Exception e) {
                vm.close();
                throw e;
            }
        } catch (Exception e) {
            if (qemu != null) {
                qemu.close();
            }
            Fixture.deleteTree(dir);
            throw e;
        }
    }

    /** The sides, in a fixed order: ours, libvirt-driver, libvirt-java. */
    List<BackupSide> sides() {
        return List.of(ours, driver, plain);
    }

    /** The image of {@code disk} that {@code side} backs up. */
    Path image(BackupSide side, String disk) {
        return (side == ours ? dir.resolve("q") : dir.resolve("lv")).resolve(disk + ".qcow2");
    }

    /** Writes the same bytes on both domains, as their guests would, and flushes. */
    void guestWrite(int index, long offset, long length, int pattern) throws Exception {
        qemu.guestWrite(disks.get(index), offset, length, pattern);
        qemu.guestFlush(disks.get(index));
        vm.guestWrite(index, offset, length, pattern);
    }

    /** Flushes both domains' disks, so that {@code qemu-img -U} reads current data. */
    void flush() throws Exception {
        for (int i = 0; i < disks.size(); i++) {
            qemu.guestFlush(disks.get(i));
            vm.flush(i);
        }
    }

    @Override
    public void close() {
        try {
            ours.close();
            driver.close();
        } finally {
            try {
                vm.close();
            } catch (Exception e) {
                System.err.println("warning: cannot destroy the libvirt domain: " + e);
            } finally {
                try {
                    qemu.close();
                } finally {
                    Fixture.deleteTree(dir);
                }
            }
        }
    }
}
