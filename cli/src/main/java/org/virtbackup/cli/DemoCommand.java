// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.Callable;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code virtbackup demo}: the main job on an embedded QEMU, verified end to end. */
@Command(name = "demo", description = {
    "Start an embedded QEMU with two disks of real data and run the whole job on it: full push backup with a",
    "checkpoint, guest writes, incremental push, pull backup read over NBD while the guest writes, checkpoint",
    "list and delete; then QEMU stopped, an offline incremental with a new checkpoint on qemu-storage-daemon",
    "(qsd:), QEMU started again and an online incremental from that checkpoint. Every backup is verified",
    "against its point-in-time data; exit 0 only if all checks pass.",
    "Needs qemu-system-x86_64, qemu-storage-daemon, qemu-img and nbdcopy",
    "(apt-get install -y qemu-system-x86 qemu-utils libnbd-bin)."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--workdir", paramLabel = "DIR",
            description = "Keep disks, backups, state and QEMU's log here (default: a temporary directory, removed afterwards)")
    Path workdir;

    @Option(names = "--size", paramLabel = "MiB", defaultValue = "256", description = "Size of each disk (default: ${DEFAULT-VALUE})")
    long sizeMiB;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (sizeMiB < 16 || sizeMiB > 65536) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--size must be between 16 and 65536 MiB");
        }
        PrintWriter out = spec.commandLine().getOut();
        Path work = workdir != null ? Files.createDirectories(workdir) : Files.createTempDirectory("virtbackup-demo");
        boolean ok;
        try (Demo demo = new Demo(work, sizeMiB << 20, out)) {
            ok = demo.run();
        } finally {
            if (workdir == null) {
                deleteTree(work);
            }
        }
        if (!ok) {
            throw new VirtBackupException(ErrorCode.OPERATION_FAILED, ErrorDomain.NONE,
                    "demo: a backup did not match its point-in-time data (see the table above)");
        }
        out.println("all backups verified");
        out.flush();
        return 0;
    }

    private static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
