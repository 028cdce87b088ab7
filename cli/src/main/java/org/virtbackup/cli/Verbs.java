// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The verbs, and which of them a command line needs built.
 *
 * <p>picocli reflects over a command's class when it is added, and doing so for every verb cost about 0.3 s
 * of each run's start (its classes are Java 5 class files, verified the slow way and never in a CDS archive).
 * A run builds only the verb it names; the root's usage help, {@code help}, an unknown verb or a command line
 * this class does not follow get every verb, so what picocli prints is unchanged.
 */
final class Verbs {

    /** In the order the root's usage help lists them. */
    private static final List<Class<?>> ALL = List.of(BackupCommands.Begin.class, BackupCommands.End.class,
            BackupCommands.Speed.class, BackupCommands.DumpXml.class, BackupCommands.JobInfoVerb.class, BackupCommands.Abort.class,
            CheckpointCommands.Create.class, CheckpointCommands.CreateAs.class, CheckpointCommands.ListVerb.class,
            CheckpointCommands.DumpXml.class, CheckpointCommands.Delete.class, CheckpointCommands.Parent.class,
            CheckpointCommands.Validate.class, CheckpointCommands.Adopt.class, CheckpointCommands.RemoveBitmap.class,
            RepoCommands.class, XmlCommand.class, DemoCommand.class, CommandLine.HelpCommand.class);

    private Verbs() {
    }

    /** Adds to {@code root} the verbs {@code args} need. */
    static void addTo(CommandLine root, String[] args) {
        for (Class<?> verb : needed(root.getCommandSpec(), args)) {
            root.addSubcommand(verb);
        }
    }

    private static List<Class<?>> needed(CommandSpec root, String[] args) {
        boolean version = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("-") || arg.equals("-")) {
                Class<?> verb = named(arg);
                return verb == null || verb == CommandLine.HelpCommand.class ? ALL : List.of(verb);
            }
            int eq = arg.indexOf('=');
            OptionSpec option = root.findOption(eq < 0 ? arg : arg.substring(0, eq));
            if (option == null || option.usageHelp()) {
                return ALL;
            }
            version |= option.versionHelp();
            if (eq < 0 && option.arity().max() > 0) {
                i++;
            }
        }
        return version ? List.of() : ALL;
    }

    private static Class<?> named(String name) {
        for (Class<?> verb : ALL) {
            if (verb.getAnnotation(Command.class).name().equals(name)) {
                return verb;
            }
        }
        return null;
    }
}
