// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

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
            description = "Connection URI: qmp+unix:///PATH/TO/qmp.sock (a QEMU's QMP socket), qsd:///PATH/TO/domain.xml "
                    + "(a stopped VM, on qemu-storage-daemon) or a libvirt URI such as qemu:///system; optionally "
                    + "?domain=NAME (default: $VIRTBACKUP_DEFAULT_URI)")
    String connect;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "State directory (default: the URI's statedir=DIR, else $VIRTBACKUP_STATE_DIR, "
                    + "else /var/lib/virtbackup as root, else $XDG_STATE_HOME/virtbackup)")
    Path stateDir;

    @Option(names = "--json", description = "Machine-readable output where the output is data")
    boolean json;

    String domain;

    /** {@code --domain NAME}, separate so that {@code xml align-backup} can use the name for a file. */
    public static final class DomainOption {
        @Option(names = {"-d", "--domain"}, paramLabel = "NAME",
                description = "Domain name; must be the one the connection serves (default: the URI's "
                        + "domain=NAME, else QEMU's -name, or with qsd: the domain XML's <name>); names a stopped "
                        + "domain too")
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

    /** Parses a copy speed ({@code --backup-speed}, {@code backup-speed}): a byte count {@code >= 0}, optionally with a binary K, M or G suffix. */
    static final class SpeedConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String v = value.trim().toUpperCase(Locale.ROOT);
            int shift = 0;
            if (!v.isEmpty() && "KMG".indexOf(v.charAt(v.length() - 1)) >= 0) {
                shift = 10 * ("KMG".indexOf(v.charAt(v.length() - 1)) + 1);
                v = v.substring(0, v.length() - 1);
            }
            try {
                long n = Long.parseLong(v);
                if (n >= 0 && n <= (Long.MAX_VALUE >> shift)) {
                    return n << shift;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new TypeConversionException("'" + value + "' is not a speed in bytes per second: "
                    + "expected a number >= 0, optionally with a suffix K, M or G");
        }
    }
}
