// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import java.io.PrintWriter;
import org.virtbackup.api.VirtBackupException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code virtbackup} command: virsh-style verbs over virtbackup's API.
 *
 * <p>Exit codes: 0 success; 1 an operation failed ({@code error: <message>} on stderr); 2 a usage error.
 */
@Command(name = "virtbackup", mixinStandardHelpOptions = true, scope = picocli.CommandLine.ScopeType.INHERIT, versionProvider = Main.Version.class,
        description = "libvirt-style backups and checkpoints for QEMU.",
        footer = {"", "Errors are printed as 'error: <message>' with exit code 1; usage errors exit with 2."})
public final class Main implements Runnable {

    @Mixin
    GlobalOptions global;

    @Mixin
    GlobalOptions.DomainOption domainOption;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Runs the command with the given streams, for tests and embedding.
     *
     * @return the exit code
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = commandLine(args);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + message(ex));
            commandLine.getErr().flush();
            return 1;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine failed = ex.getCommandLine();
            failed.getErr().println("error: " + ex.getMessage());
            failed.getErr().println("Try '" + failed.getCommandSpec().qualifiedName() + " --help' for more information.");
            failed.getErr().flush();
            return 2;
        });
        return cl.execute(args);
    }

    /** The command tree {@code args} need: the root and the verbs it names (see {@link Verbs}). */
    static CommandLine commandLine(String[] args) {
        CommandLine cl = new CommandLine(new Main());
        Verbs.addTo(cl, args);
        return cl;
    }

    private static String message(Exception ex) {
        if (ex instanceof VirtBackupException) {
            return ex.getMessage();
        }
        // Anything else is a bug of ours; say so rather than hide it.
        return "internal error: " + ex;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Reads the version from the jar manifest, falling back to the development version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"virtbackup " + (v != null ? v : "0.1.0-SNAPSHOT")};
        }
    }
}
