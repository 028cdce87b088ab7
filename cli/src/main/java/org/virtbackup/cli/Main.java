// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code virtbackup} command. */
@Command(name = "virtbackup", mixinStandardHelpOptions = true, version = "virtbackup 0.1.0-SNAPSHOT",
        description = "libvirt-style backups and checkpoints for QEMU.")
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
