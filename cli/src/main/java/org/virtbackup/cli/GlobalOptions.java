// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * Options every verb accepts, before or after the verb name (virsh style):
 * {@code virtbackup --connect qmp+unix:///run/vm.sock backup-begin b.xml}.
 *
 * <p>Each command mixes them in itself rather than inheriting them, because {@code xml align-backup} gives
 * {@code --domain} another meaning (a domain XML file). {@link #of} resolves a value from the verb up to the
 * root command, so the one given nearest the verb wins.
 */
public final class GlobalOptions {

    @Option(names = {"-c", "--connect"}, paramLabel = "URI",
            description = "Hypervisor connection URI, e.g. qmp+unix:///run/vm1/qmp.sock (default: $VIRTBACKUP_DEFAULT_URI)")
    String connect;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "State directory (default: $VIRTBACKUP_STATE_DIR, else /var/lib/virtbackup as root, "
                    + "else $XDG_STATE_HOME/virtbackup)")
    Path stateDir;

    @Option(names = "--json", description = "Machine-readable output where the output is data")
    boolean json;

    String domain;

    /** {@code --domain NAME}, separate so that {@code xml align-backup} can use the name for a file. */
    public static final class DomainOption {
        @Option(names = {"-d", "--domain"}, paramLabel = "NAME",
                description = "Domain name (default: the name in the URI, else the only one)")
        String domain;
    }

    /** The effective options of the verb {@code spec}: each value from the nearest command that has it. */
    static GlobalOptions of(CommandSpec spec) {
        GlobalOptions result = new GlobalOptions();
        for (CommandSpec s = spec; s != null; s = s.parent()) {
            for (CommandSpec mixin : s.mixins().values()) {
                Object o = mixin.userObject();
                if (o instanceof GlobalOptions g) {
                    result.connect = result.connect != null ? result.connect : g.connect;
                    result.stateDir = result.stateDir != null ? result.stateDir : g.stateDir;
                    result.json |= g.json;
                } else if (o instanceof DomainOption d && result.domain == null) {
                    result.domain = d.domain;
                }
            }
        }
        return result;
    }
}
