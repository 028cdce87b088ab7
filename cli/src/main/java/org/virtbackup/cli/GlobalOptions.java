// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Options every verb accepts, before or after the verb name (virsh style):
 * {@code virtbackup --connect qmp+unix:///run/vm.sock backup-begin b.xml}.
 */
public final class GlobalOptions {

    /**
     * The options of the command line a verb runs in. Inherited options share the root command's setter, so
     * the values sit in the root's instance whether given before or after the verb.
     */
    static GlobalOptions of(picocli.CommandLine.Model.CommandSpec spec) {
        return ((Main) spec.root().userObject()).global;
    }

    @Option(names = {"-c", "--connect"}, paramLabel = "URI", scope = ScopeType.INHERIT,
            description = "Hypervisor connection URI, e.g. qmp+unix:///run/vm1/qmp.sock")
    String connect;

    @Option(names = {"-d", "--domain"}, paramLabel = "NAME", scope = ScopeType.INHERIT,
            description = "Domain name (default: the name in the URI, else the only one)")
    String domain;

    @Option(names = "--state-dir", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "State directory (default: $VIRTBACKUP_STATE_DIR, else /var/lib/virtbackup as root, "
                    + "else $XDG_STATE_HOME/virtbackup)")
    Path stateDir;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Machine-readable output where the output is data")
    boolean json;
}
