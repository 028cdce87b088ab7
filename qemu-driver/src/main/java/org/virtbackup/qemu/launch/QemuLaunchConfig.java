// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.launch;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Everything {@link EmbeddedQemu#start} needs, validated by the builder. */
record QemuLaunchConfig(String binary, MachineType machine, Path workDir, boolean deleteWorkDir,
        List<QemuDisk> disks, List<String> extraArgs, Duration startTimeout) {

    QemuLaunchConfig {
        disks = List.copyOf(disks);
        extraArgs = List.copyOf(extraArgs);
    }

    Path qmpSocket() {
        return workDir.resolve("qmp.sock");
    }

    Path controlSocket() {
        return workDir.resolve("control.sock");
    }

    Path logFile() {
        return workDir.resolve("qemu.log");
    }
}
