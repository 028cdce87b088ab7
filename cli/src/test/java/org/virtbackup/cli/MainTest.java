// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

    /** Every verb path, e.g. "xml validate", from the command tree itself. */
    static List<String> verbs() {
        List<String> result = new ArrayList<>();
        collect(Main.commandLine(new String[0]), "", result);
        return result;
    }

    private static void collect(CommandLine cl, String prefix, List<String> out) {
        for (var e : cl.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) {
                continue;
            }
            String path = (prefix + " " + e.getKey()).trim();
            out.add(path);
            collect(e.getValue(), path, out);
        }
    }

    @ParameterizedTest
    @MethodSource("verbs")
    void everyVerbHasHelp(String verb) {
        List<String> args = new ArrayList<>(List.of(verb.split(" ")));
        args.add("--help");
        var r = CliRunner.run(args.toArray(String[]::new));
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("Usage: virtbackup " + verb);
    }

    @Test
    void versionPrintsTheVersion() {
        var r = CliRunner.run("--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("virtbackup ");
    }

    @Test
    void usageErrorExitsTwo() {
        var r = CliRunner.run("backup-end", "--no-such-option");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: Unknown option: '--no-such-option'")
                .contains("Try 'virtbackup backup-end --help' for more information.");
    }

    @Test
    void unknownVerbExitsTwo() {
        var r = CliRunner.run("frobnicate");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: ");
    }

    @Test
    void globalOptionsAreAcceptedBeforeAndAfterTheVerb() {
        assertThat(CliRunner.run("--connect", "qmp+unix:///x.sock", "xml", "--help").exitCode()).isZero();
        assertThat(CliRunner.run("xml", "--connect", "qmp+unix:///x.sock", "--help").exitCode()).isZero();
    }

    @Test
    void connectGivenAfterTheVerbReachesTheVerb() {
        var r = CliRunner.run("domjobinfo", "--connect", "nosuch:///x");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: no driver for connection URI 'nosuch:///x' (scheme 'nosuch')\n");
    }

    @Test
    void connectGivenBeforeTheVerbReachesTheVerb() {
        var r = CliRunner.run("--connect", "nosuch:///y", "backup-dumpxml");
        assertThat(r.err()).isEqualTo("error: no driver for connection URI 'nosuch:///y' (scheme 'nosuch')\n");
    }

    @Test
    void backupSpeedTakesBytesOrBinarySuffixes() {
        GlobalOptions.SpeedConverter c = new GlobalOptions.SpeedConverter();
        assertThat(c.convert("0")).isZero();
        assertThat(c.convert("1500")).isEqualTo(1500L);
        assertThat(c.convert("64k")).isEqualTo(64L << 10);
        assertThat(c.convert("1M")).isEqualTo(1L << 20);
        assertThat(c.convert("2G")).isEqualTo(2L << 30);
        for (String bad : List.of("", "-1", "1.5M", "1T", "M", "9223372036854775807K")) {
            assertThatThrownBy(() -> c.convert(bad)).as(bad).isInstanceOf(CommandLine.TypeConversionException.class)
                    .hasMessageStartingWith("'" + bad + "' is not a speed in bytes per second");
        }
    }

    @Test
    void printQmpWithoutDryRunIsAUsageError() {
        var r = CliRunner.run("backup-begin", "--print-qmp", "--connect", "nosuch:///y");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: --print-qmp requires --dry-run");
    }
}
