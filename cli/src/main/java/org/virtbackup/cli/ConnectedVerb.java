// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.virtbackup.api.Domain;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A verb that works on a domain: the global options, a usage check before anything connects, one connection
 * for the verb's run (QEMU serves one QMP client at a time, so the verb lets go when it ends).
 */
abstract class ConnectedVerb implements Callable<Integer> {

    @Mixin
    GlobalOptions global;

    @Mixin
    GlobalOptions.DomainOption domainOption;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        before();
        List<XmlWarmUp.Parse> parses = parses();
        if (!parses.isEmpty()) {
            XmlWarmUp.start(parses);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Session s = Session.open(GlobalOptions.of(spec), driverOptions())) {
            int code = run(s.domain(), out);
            out.flush();
            return code;
        }
    }

    /**
     * Work before the verb's connection opens: usage checks (throw
     * {@link picocli.CommandLine.ParameterException}, exit 2), or waiting without holding the QMP socket.
     */
    void before() {
    }

    /** What the verb will parse: readied on a background thread while it connects ({@link XmlWarmUp}). */
    List<XmlWarmUp.Parse> parses() {
        return List.of();
    }

    /** Driver options of this verb's connection beyond the global ones. */
    Map<String, String> driverOptions() {
        return Map.of();
    }

    /** The verb's work; returns the exit code. */
    abstract int run(Domain dom, PrintWriter out);

    /** The effective global options. */
    GlobalOptions options() {
        return GlobalOptions.of(spec);
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
