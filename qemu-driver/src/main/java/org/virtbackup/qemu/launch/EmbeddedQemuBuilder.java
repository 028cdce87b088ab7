// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.launch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Configures an {@link EmbeddedQemu}. Defaults: {@link MachineType#Q35_TCG}, no disks, a private work
 * directory (mode 0700) deleted on close, {@code qemu-system-x86_64} from {@code PATH}, 30 s to start.
 */
public final class EmbeddedQemuBuilder {
    /** sun_path is 108 bytes including the terminating NUL on Linux (unix(7)). */
    private static final int MAX_SOCKET_PATH = 107;

    private Path workDir;
    private boolean keepWorkDir;
    private final List<QemuDisk> disks = new ArrayList<>();
    private MachineType machine = MachineType.Q35_TCG;
    private String binary = QemuBinaries.SYSTEM_X86_64;
    private Duration startTimeout = Duration.ofSeconds(30);
    private final List<String> extraArgs = new ArrayList<>();

    EmbeddedQemuBuilder() {
    }

    /** Puts sockets and the log in {@code dir} (created if missing, never deleted). */
    public EmbeddedQemuBuilder workDir(Path dir) {
        this.workDir = Objects.requireNonNull(dir, "dir").toAbsolutePath();
        return this;
    }

    /** Keeps the private work directory after close, e.g. to read the log. */
    public EmbeddedQemuBuilder keepWorkDir(boolean keep) {
        this.keepWorkDir = keep;
        return this;
    }

    /** Attaches a disk; device ids must be unique. */
    public EmbeddedQemuBuilder disk(QemuDisk disk) {
        disks.add(Objects.requireNonNull(disk, "disk"));
        return this;
    }

    /** Attaches a writable qcow2 disk. */
    public EmbeddedQemuBuilder disk(Path qcow2Image, String deviceId) {
        return disk(QemuDisk.qcow2(qcow2Image, deviceId));
    }

    /** The machine; default {@link MachineType#Q35_TCG}. */
    public EmbeddedQemuBuilder machine(MachineType type) {
        this.machine = Objects.requireNonNull(type, "type");
        return this;
    }

    /** The emulator binary, a name on {@code PATH} or a path. */
    public EmbeddedQemuBuilder binary(String emulator) {
        this.binary = Objects.requireNonNull(emulator, "emulator");
        return this;
    }

    /** How long QEMU may take until its monitor accepts; default 30 s. */
    public EmbeddedQemuBuilder startTimeout(Duration timeout) {
        this.startTimeout = Objects.requireNonNull(timeout, "timeout");
        return this;
    }

    /** Extra command-line arguments, appended last (e.g. another {@code -qmp} for an outside manager). */
    public EmbeddedQemuBuilder extraArgs(String... args) {
        extraArgs.addAll(List.of(args));
        return this;
    }

    /**
     * Starts QEMU and waits until its monitors accept connections.
     *
     * @throws IllegalArgumentException for duplicate device ids, missing images, or an unusable work dir
     * @throws QemuProcessException when QEMU cannot be started or exits during startup (the message has the
     *     end of its log)
     */
    public EmbeddedQemu start() {
        Set<String> ids = new HashSet<>();
        for (QemuDisk d : disks) {
            if (!ids.add(d.deviceId())) {
                throw new IllegalArgumentException("disk '" + d.deviceId() + "' specified twice");
            }
            if (!Files.isRegularFile(d.image())) {
                throw new IllegalArgumentException("image '" + d.image() + "' of disk '" + d.deviceId()
                        + "' does not exist; create it with QemuImg.create");
            }
        }
        boolean owned = workDir == null;
        Path dir = owned ? createPrivateDir() : createDir(workDir);
        QemuLaunchConfig config = new QemuLaunchConfig(binary, machine, dir, owned && !keepWorkDir, disks, extraArgs,
                startTimeout);
        checkSocketPath(config.controlSocket());
        checkSocketPath(config.qmpSocket());
        try {
            Files.deleteIfExists(config.qmpSocket());
            Files.deleteIfExists(config.controlSocket());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove stale sockets in '" + dir + "'", e);
        }
        return EmbeddedQemu.start(config);
    }

    private static void checkSocketPath(Path socket) {
        String s = socket.toString();
        if (s.getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            throw new IllegalArgumentException("socket path '" + s + "' is longer than " + MAX_SOCKET_PATH
                    + " bytes, the unix socket limit; use a shorter work directory");
        }
        if (s.contains(",")) {
            throw new IllegalArgumentException("socket path '" + s + "' contains a comma, which QEMU's -qmp option "
                    + "cannot take; use another work directory");
        }
    }

    private static Path createPrivateDir() {
        try {
            return Files.createTempDirectory("virtbackup-qemu-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a private work directory for QEMU", e);
        }
    }

    private static Path createDir(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create work directory '" + dir + "'", e);
        }
    }
}
