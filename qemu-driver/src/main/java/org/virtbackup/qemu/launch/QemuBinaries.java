// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.launch;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds QEMU's programs on {@code PATH}. */
public final class QemuBinaries {
    /** The system emulator the launcher runs. */
    public static final String SYSTEM_X86_64 = "qemu-system-x86_64";
    /** The image tool. */
    public static final String QEMU_IMG = "qemu-img";

    private QemuBinaries() {
    }

    /** The executable {@code name} on {@code PATH}, if any. */
    public static Optional<Path> find(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** The Debian command that installs {@code name}, for error messages. */
    public static String installHint(String name) {
        return name.startsWith("qemu-system") ? "apt-get install qemu-system-x86" : "apt-get install qemu-utils";
    }
}
