// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.virtbackup.xml.BackupAligner;
import org.virtbackup.xml.BackupXml;
import org.virtbackup.xml.CheckpointXml;
import org.virtbackup.xml.DomainXml;
import org.virtbackup.xml.XmlKind;
import org.virtbackup.xml.XmlValidator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code virtbackup xml validate|format|align-backup}: the XML layer, without a hypervisor. */
@Command(name = "xml", description = "Validate, format and align libvirt backup/checkpoint XML without a hypervisor.",
        subcommands = {XmlCommand.Validate.class, XmlCommand.Format.class, XmlCommand.AlignBackup.class})
final class XmlCommand implements Runnable {

    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** What the xml verbs share: the global options (accepted, unused: no hypervisor) and printing. */
    abstract static class XmlVerb implements Callable<Integer> {
        @Mixin
        GlobalOptions global;

        @Spec
        CommandSpec spec;

        /** Prints {@code text} as it is and succeeds. */
        int print(String text) {
            PrintWriter out = spec.commandLine().getOut();
            out.print(text);
            out.flush();
            return 0;
        }
    }

    /** Accepts the kinds in any case: {@code --kind backup} or {@code --kind BACKUP}. */
    static XmlKind kind(String value) {
        return XmlKind.valueOf(value.toUpperCase(Locale.ROOT));
    }

    @Command(name = "validate", description = {
        "Check FILE against virtbackup's schema for its kind and libvirt's parse rules.",
        "Exit 0 when valid; 1 with 'error: ...' on stderr otherwise."})
    static final class Validate extends XmlVerb {
        @Option(names = "--kind", required = true, paramLabel = "backup|checkpoint|domain",
                converter = KindConverter.class, description = "Document kind: ${COMPLETION-CANDIDATES}")
        XmlKind kind;

        @Parameters(paramLabel = "FILE", description = "The document, or - for standard input")
        String file;

        @Override
        public Integer call() {
            String xml = Input.read(file);
            XmlValidator.validate(kind, xml);
            switch (kind) {
                case BACKUP -> BackupXml.parse(xml);
                case CHECKPOINT -> CheckpointXml.parseRecognizing(xml);
                case DOMAIN -> DomainXml.parse(xml);
                default -> throw new IllegalStateException(kind.toString());
            }
            return print(file + " validates\n");
        }
    }

    @Command(name = "format", description = {
        "Parse FILE and print it in libvirt's output form.",
        "A checkpoint with a <creationTime> is a redefine document (what checkpoint-dumpxml prints and",
        "checkpoint-create --redefine takes): its creation time, parent and <domain> are kept."})
    static final class Format extends XmlVerb {
        @Option(names = "--kind", required = true, paramLabel = "backup|checkpoint",
                converter = KindConverter.class, description = "Document kind: backup or checkpoint")
        XmlKind kind;

        @Option(names = "--redefine", description = {
            "Checkpoints: parse as a redefinition even without a <creationTime>,",
            "which then fails as libvirt's REDEFINE does"})
        boolean redefine;

        @Parameters(paramLabel = "FILE", description = "The document, or - for standard input")
        String file;

        @Override
        public Integer call() {
            if (redefine && kind != XmlKind.CHECKPOINT) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--redefine applies to --kind checkpoint only");
            }
            String xml = Input.read(file);
            String formatted = switch (kind) {
                case BACKUP -> BackupXml.format(BackupXml.parse(xml));
                case CHECKPOINT -> CheckpointXml.format(redefine ? CheckpointXml.parseRedefine(xml)
                        : CheckpointXml.parseRecognizing(xml), true, false, true);
                default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--kind must be backup or checkpoint for 'xml format'");
            };
            return print(formatted);
        }
    }

    @Command(name = "align-backup", description = {
        "Print BACKUP.xml aligned with a domain, as libvirt's virDomainBackupGetXMLDesc would show it.",
        "Every default is filled in: disk selection, generated target/scratch names, driver type, modes, export names."})
    static final class AlignBackup extends XmlVerb {
        @Option(names = "--domain", required = true, paramLabel = "DOMAIN.xml",
                description = "libvirt <domain> XML giving the disks, or - for standard input")
        String domainFile;

        @Option(names = "--suffix", paramLabel = "S", description = {
            "Suffix of generated file names (libvirt uses the checkpoint name,",
            "or the start time in epoch seconds: the default)"})
        String suffix;

        @Parameters(paramLabel = "BACKUP.xml", description = "The backup definition, or - for standard input")
        String file;

        @Override
        public Integer call() {
            if ("-".equals(file) && "-".equals(domainFile)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "only one of BACKUP.xml and --domain can be read from standard input");
            }
            var domain = DomainXml.parse(Input.read(domainFile));
            var backup = BackupXml.parse(Input.read(file));
            String s = suffix != null ? suffix : Long.toString(Instant.now().getEpochSecond());
            return print(BackupXml.format(BackupAligner.align(backup, domain, s)));
        }
    }

    /** Converts {@code backup|checkpoint|domain} in any case; anything else is a usage error. */
    static final class KindConverter implements picocli.CommandLine.ITypeConverter<XmlKind> {
        @Override
        public XmlKind convert(String value) {
            try {
                return kind(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(
                        "unknown kind '" + value + "': expected backup, checkpoint or domain");
            }
        }
    }
}
