// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import java.io.PrintWriter;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.virtbackup.api.CheckpointCreateFlag;
import org.virtbackup.api.CheckpointDeleteFlag;
import org.virtbackup.api.CheckpointHealth;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.CheckpointXmlFlag;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * The checkpoint verbs, with virsh's names, options and messages, plus the reconciliation verbs
 * {@code checkpoint-validate}, {@code checkpoint-adopt-bitmap} and {@code checkpoint-remove-bitmap}.
 */
final class CheckpointCommands {

    private CheckpointCommands() {
    }

    /** What every checkpoint verb shares: see {@link ConnectedVerb}. */
    abstract static class Verb extends ConnectedVerb {
    }

    @Command(name = "checkpoint-create", description = {"Create a checkpoint from XML (virDomainCheckpointCreateXML).",
        "Without CP.xml: a checkpoint of every disk named after the current time."})
    static final class Create extends Verb {
        @Parameters(arity = "0..1", paramLabel = "CP.xml", description = "<domaincheckpoint> XML, or - for standard input")
        String file;

        @Option(names = "--redefine", description = "Redefine metadata for existing bitmaps")
        boolean redefine;

        @Option(names = "--redefine-validate", description = "With --redefine: check the bitmaps exist and are usable")
        boolean validate;

        @Override
        List<XmlWarmUp.Parse> parses() {
            return List.of(XmlWarmUp.Parse.CHECKPOINT);
        }

        @Override
        int run(Domain dom, PrintWriter out) {
            EnumSet<CheckpointCreateFlag> flags = EnumSet.noneOf(CheckpointCreateFlag.class);
            if (redefine) {
                flags.add(CheckpointCreateFlag.REDEFINE);
            }
            if (validate) {
                flags.add(CheckpointCreateFlag.REDEFINE_VALIDATE);
            }
            String xml = file == null ? "<domaincheckpoint/>" : Input.read(file);
            String name = dom.checkpointCreateXml(xml, flags).name();
            if (redefine) {
                out.println("Domain checkpoint " + name + " defined from '" + file + "'");
            } else if (file != null) {
                out.println("Domain checkpoint " + name + " created from '" + file + "'");
            } else {
                out.println("Domain checkpoint " + name + " created");
            }
            return 0;
        }
    }

    @Command(name = "checkpoint-create-as", description = "Create a checkpoint from a set of arguments.")
    static final class CreateAs extends Verb {
        @Parameters(arity = "0..1", paramLabel = "NAME", description = "Checkpoint name (default: the current time)")
        String name;

        @Option(names = "--description", paramLabel = "D", description = "Description of the checkpoint")
        String description;

        @Option(names = "--diskspec", paramLabel = "SPEC",
                description = "Disk attributes: disk[,checkpoint=bitmap|no][,bitmap=name]; repeatable")
        List<String> diskspecs = new ArrayList<>();

        @Option(names = "--print-xml", description = "Print the XML that would be used, create nothing")
        boolean printXml;

        @Override
        List<XmlWarmUp.Parse> parses() {
            return printXml ? List.of() : List.of(XmlWarmUp.Parse.CHECKPOINT);
        }

        @Override
        int run(Domain dom, PrintWriter out) {
            String xml = xml();
            if (printXml) {
                out.print(xml);
                return 0;
            }
            out.println("Domain checkpoint " + dom.checkpointCreateXml(xml, EnumSet.noneOf(CheckpointCreateFlag.class))
                    .name() + " created");
            return 0;
        }

        String xml() {
            StringBuilder sb = new StringBuilder("<domaincheckpoint>\n");
            if (name != null) {
                sb.append("  <name>").append(esc(name)).append("</name>\n");
            }
            if (description != null) {
                sb.append("  <description>").append(esc(description)).append("</description>\n");
            }
            if (!diskspecs.isEmpty()) {
                sb.append("  <disks>\n");
                diskspecs.forEach(d -> sb.append("    ").append(diskspec(d)).append('\n'));
                sb.append("  </disks>\n");
            }
            return sb.append("</domaincheckpoint>\n").toString();
        }

        private String diskspec(String spec) {
            String[] parts = spec.split(",");
            StringBuilder sb = new StringBuilder("<disk name='").append(esc(parts[0])).append('\'');
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].split("=", 2);
                if (kv.length != 2 || !(kv[0].equals("checkpoint") || kv[0].equals("bitmap"))) {
                    throw new ParameterException(this.spec.commandLine(), "invalid --diskspec '" + spec
                            + "': expected disk[,checkpoint=bitmap|no][,bitmap=name]");
                }
                sb.append(' ').append(kv[0]).append("='").append(esc(kv[1])).append('\'');
            }
            return sb.append("/>").toString();
        }
    }

    @Command(name = "checkpoint-list", description = "List checkpoints (virDomainListAllCheckpoints), as a table, names or a tree.")
    static final class ListVerb extends Verb {
        @Option(names = "--parent", description = "Add a column with each checkpoint's parent") boolean parent;
        @Option(names = "--roots", description = "Only checkpoints without a parent") boolean roots;
        @Option(names = "--leaves", description = "Only checkpoints without children") boolean leaves;
        @Option(names = "--no-leaves", description = "Only checkpoints with children") boolean noLeaves;
        @Option(names = "--topological", description = "Parents before children") boolean topological;
        @Option(names = "--tree", description = "Show the parent-child tree") boolean tree;
        @Option(names = "--name", description = "Names only, one a line") boolean nameOnly;
        @Option(names = "--from", paramLabel = "NAME", description = "Children of this checkpoint") String from;
        @Option(names = "--descendants", description = "With --from: all descendants") boolean descendants;

        @Override
        int run(Domain dom, PrintWriter out) {
            if (tree && (nameOnly || parent || roots || leaves || noLeaves)) {
                throw new ParameterException(spec.commandLine(), "--tree cannot be combined with --name, --parent, "
                        + "--roots, --leaves or --no-leaves");
            }
            if (roots && from != null) {
                throw new ParameterException(spec.commandLine(), "--roots and --from are mutually exclusive");
            }
            EnumSet<CheckpointListFlag> flags = EnumSet.noneOf(CheckpointListFlag.class);
            add(flags, roots, CheckpointListFlag.ROOTS);
            add(flags, leaves, CheckpointListFlag.LEAVES);
            add(flags, noLeaves, CheckpointListFlag.NO_LEAVES);
            add(flags, topological || tree, CheckpointListFlag.TOPOLOGICAL);
            add(flags, descendants || (tree && from != null), CheckpointListFlag.DESCENDANTS);
            List<DomainCheckpoint> cps = from == null ? dom.listAllCheckpoints(flags)
                    : dom.checkpointLookupByName(from).listAllChildren(flags);
            if (nameOnly) {
                cps.forEach(c -> out.println(c.name()));
                return 0;
            }
            // a parent is one more look per checkpoint: only for the columns that show it (as virsh)
            List<CheckpointFormat.Row> rows = cps.stream().map(c -> new CheckpointFormat.Row(c.name(),
                    c.creationTime().getEpochSecond(),
                    parent || tree ? c.getParent().map(DomainCheckpoint::name) : Optional.empty())).toList();
            if (tree) {
                List<String> listed = rows.stream().map(CheckpointFormat.Row::name).toList();
                // under --from, the listed checkpoint's children are the roots of the tree
                out.print(CheckpointFormat.tree(rows.stream().map(r -> new CheckpointFormat.Row(r.name(),
                        r.creationTime(), r.parent().filter(listed::contains))).toList()));
            } else {
                out.print(CheckpointFormat.list(rows, parent, ZoneId.systemDefault()));
            }
            return 0;
        }

        private static void add(EnumSet<CheckpointListFlag> flags, boolean on, CheckpointListFlag flag) {
            if (on) {
                flags.add(flag);
            }
        }
    }

    @Command(name = "checkpoint-dumpxml", description = "Print a checkpoint's XML (virDomainCheckpointGetXMLDesc).")
    static final class DumpXml extends Verb {
        @Parameters(paramLabel = "NAME", description = "Checkpoint name") String name;
        @Option(names = "--security-info", description = "Include security-sensitive information") boolean secure;
        @Option(names = "--no-domain", description = "Leave out the <domain>") boolean noDomain;
        @Option(names = "--size", description = "Add each disk's bytes changed since the checkpoint") boolean size;

        @Override
        int run(Domain dom, PrintWriter out) {
            EnumSet<CheckpointXmlFlag> flags = EnumSet.noneOf(CheckpointXmlFlag.class);
            if (secure) {
                flags.add(CheckpointXmlFlag.SECURE);
            }
            if (noDomain) {
                flags.add(CheckpointXmlFlag.NO_DOMAIN);
            }
            if (size) {
                flags.add(CheckpointXmlFlag.SIZE);
            }
            out.print(dom.checkpointLookupByName(name).getXmlDesc(flags));
            return 0;
        }
    }

    @Command(name = "checkpoint-delete", description = "Delete a checkpoint: its bitmaps from every layer, then its metadata.")
    static final class Delete extends Verb {
        @Parameters(paramLabel = "NAME", description = "Checkpoint name") String name;
        @Option(names = "--children", description = "Delete its descendants too") boolean children;
        @Option(names = "--children-only", description = "Delete its descendants only") boolean childrenOnly;
        @Option(names = "--metadata", description = "Delete metadata only; keep the bitmaps") boolean metadata;

        @Override
        int run(Domain dom, PrintWriter out) {
            EnumSet<CheckpointDeleteFlag> flags = EnumSet.noneOf(CheckpointDeleteFlag.class);
            if (children) {
                flags.add(CheckpointDeleteFlag.CHILDREN);
            }
            if (childrenOnly) {
                flags.add(CheckpointDeleteFlag.CHILDREN_ONLY);
            }
            if (metadata) {
                flags.add(CheckpointDeleteFlag.METADATA_ONLY);
            }
            dom.checkpointLookupByName(name).delete(flags);
            out.println(childrenOnly ? "Domain checkpoint " + name + " children deleted"
                    : "Domain checkpoint " + name + " deleted");
            return 0;
        }
    }

    @Command(name = "checkpoint-parent", description = "Print the name of a checkpoint's parent.")
    static final class Parent extends Verb {
        @Parameters(paramLabel = "NAME", description = "Checkpoint name") String name;

        @Override
        int run(Domain dom, PrintWriter out) {
            DomainCheckpoint parent = dom.checkpointLookupByName(name).getParent().orElseThrow(() ->
                    new VirtBackupException(ErrorCode.NO_DOMAIN_CHECKPOINT, ErrorDomain.DOMAIN_CHECKPOINT,
                            "checkpoint '" + name + "' does not have a parent"));
            out.println(parent.name());
            return 0;
        }
    }

    @Command(name = "checkpoint-validate", description = {
        "Compare checkpoint metadata with the bitmaps in QEMU (with qsd:, in a qemu-storage-daemon over the "
            + "stopped VM's images): each checkpoint disk ok, missing, inconsistent, not-recording or broken-chain; "
            + "bitmaps without metadata are orphans. Changes nothing.",
        "Exit 0 even when it finds problems (it is a report), unless --check is given."})
    static final class Validate extends Verb {
        @Option(names = "--check", description = "Exit 1 when anything is not ok") boolean check;

        @Override
        int run(Domain dom, PrintWriter out) {
            CheckpointHealth h = dom.checkpointHealth();
            out.print(GlobalOptions.of(spec).json ? CheckpointFormat.healthJson(h) : CheckpointFormat.health(h));
            return check && !h.ok() ? 1 : 0;
        }
    }

    @Command(name = "checkpoint-adopt-bitmap", description = {
        "Repair: record an orphan bitmap (no metadata) as a checkpoint of the same name, without parent,",
        "over every disk where its chain is usable."})
    static final class Adopt extends Verb {
        @Parameters(paramLabel = "BITMAP", description = "Bitmap name") String bitmap;

        @Override
        int run(Domain dom, PrintWriter out) {
            out.println("Domain checkpoint " + dom.checkpointAdoptBitmap(bitmap).name() + " adopted");
            return 0;
        }
    }

    @Command(name = "checkpoint-remove-bitmap", description = {
        "Repair: remove an orphan bitmap (no metadata) from every layer of every disk that has it.",
        "Refused for a bitmap a checkpoint claims: delete the checkpoint instead."})
    static final class RemoveBitmap extends Verb {
        @Parameters(paramLabel = "BITMAP", description = "Bitmap name") String bitmap;

        @Override
        int run(Domain dom, PrintWriter out) {
            dom.checkpointRemoveBitmap(bitmap);
            out.println("Bitmap " + bitmap + " removed");
            return 0;
        }
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;");
    }
}
