// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.examples;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.virtbackup.api.BackupDryRun;
import org.virtbackup.api.BackupEndFlag;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.BackupStartFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.api.JobInfo;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * A push backup reviewed before it runs, as a cautious operator or a change-review step does it: the dry run
 * shows the backup XML with every default filled in (generated target names included) and the exact QMP
 * commands, without changing anything. The review refuses a plan that would write outside an allowed directory
 * (symbolic links resolved), then asks for approval; only an approved plan is started, and it is started from
 * the reviewed aligned XML: generated target names contain the start time, which would differ otherwise. Name
 * the checkpoint for the same reason (a generated checkpoint name is the start time too).
 *
 * <pre>java org.virtbackup.examples.DryRunReview URI ALLOWED_DIR BACKUP_XML_FILE [CHECKPOINT_XML_FILE] [--yes]
 *     [--state-dir=DIR]</pre>
 */
public final class DryRunReview {

    /** Paths in the QMP plan: files created by {@code blockdev-create} and opened by {@code blockdev-add}. */
    private static final Pattern PLAN_PATH = Pattern.compile("\"(?:path|filename)\":\"([^\"]*)\"");

    private DryRunReview() {
    }

    public static void main(String[] args) throws IOException {
        List<String> rest = new ArrayList<>();
        boolean yes = false;
        Map<String, String> options = new HashMap<>();
        for (String a : args) {
            if (a.equals("--yes")) {
                yes = true;
            } else if (a.startsWith("--state-dir=")) {
                options.put("stateDir", a.substring("--state-dir=".length()));
            } else {
                rest.add(a);
            }
        }
        if (rest.size() < 3) {
            System.err.println("usage: DryRunReview URI ALLOWED_DIR BACKUP_XML_FILE [CHECKPOINT_XML_FILE] [--yes]"
                    + " [--state-dir=DIR]");
            System.exit(2);
        }
        String checkpointXml = rest.size() > 3 ? Files.readString(Path.of(rest.get(3))) : null;
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        boolean approved = yes;
        Predicate<BackupDryRun> approve = plan -> approved || ask(stdin);
        Optional<JobInfo> done = run(rest.get(0), options, Files.readString(Path.of(rest.get(2))), checkpointXml,
                Path.of(rest.get(1)), approve, System.out);
        System.exit(done.filter(i -> i.success().orElse(false)).isPresent() ? 0 : 1);
    }

    /**
     * Reviews the backup and runs it if the review passes and {@code approve} agrees.
     *
     * @return the finished job's statistics, or empty when refused or not approved
     */
    public static Optional<JobInfo> run(String uri, Map<String, String> options, String backupXml,
            String checkpointXml, Path allowedDir, Predicate<BackupDryRun> approve, PrintStream out) throws IOException {
        Path allowed = allowedDir.toRealPath();
        try (Connection conn = Connections.open(URI.create(uri), options)) {
            Domain dom = conn.domain();
            BackupDryRun plan = dom.backupDryRun(backupXml, checkpointXml, EnumSet.noneOf(BackupStartFlag.class));
            out.print("aligned backup XML:\n" + plan.alignedXml());
            out.println("QMP plan:");
            plan.qmpPlan().forEach(line -> out.println("  " + line));
            Element root = parse(plan.alignedXml());
            if (!"push".equals(root.getAttribute("mode"))) {
                out.println("refused: only push backups are reviewed here (a pull waits for its reader)");
                return Optional.empty();
            }
            List<String> outside = new ArrayList<>();
            for (String p : writtenPaths(root, plan.qmpPlan())) {
                if (!resolve(p).startsWith(allowed)) {
                    outside.add(p);
                }
            }
            if (!outside.isEmpty()) {
                out.println("refused: the backup would write outside " + allowed + ": " + outside);
                return Optional.empty();
            }
            if (!approve.test(plan)) {
                out.println("not approved: nothing was started");
                return Optional.empty();
            }
            // Start what was reviewed: the aligned XML pins generated names, which contain the start time. Its
            // index attributes are output only: the backup schema refuses them as input.
            String reviewedXml = plan.alignedXml().replaceAll(" index='\\d+'", "");
            BackupJob job = dom.backupStart(reviewedXml, checkpointXml, EnumSet.noneOf(BackupStartFlag.class));
            out.println(dom.backupGetXmlDesc().equals(plan.alignedXml()) ? "started: the reviewed backup"
                    : "warning: the started backup differs from the reviewed one:\n" + dom.backupGetXmlDesc());
            JobInfo end; // ended by awaitCompletion, as libvirt ends a finished push
            try {
                end = job.awaitCompletion(Duration.ofHours(6));
            } catch (RuntimeException e) {
                dom.backupEnd(EnumSet.of(BackupEndFlag.DISCARD_CHECKPOINT)); // cancels, removes partial targets
                throw e;
            }
            out.println("result: " + end.state() + end.errorMessage().map(m -> ", error: " + m).orElse(""));
            return Optional.of(end);
        }
    }

    /** Every path the plan would write: targets and scratch images of the aligned XML, and files in the plan. */
    static TreeSet<String> writtenPaths(Element alignedXml, List<String> qmpPlan) {
        TreeSet<String> paths = new TreeSet<>();
        for (String store : List.of("target", "scratch")) {
            NodeList nodes = alignedXml.getElementsByTagName(store);
            for (int i = 0; i < nodes.getLength(); i++) {
                Element e = (Element) nodes.item(i);
                paths.add(e.hasAttribute("file") ? e.getAttribute("file") : e.getAttribute("dev"));
            }
        }
        for (String line : qmpPlan) {
            Matcher m = PLAN_PATH.matcher(line);
            while (m.find()) {
                paths.add(m.group(1));
            }
        }
        return paths;
    }

    private static Element parse(String xml) throws IOException {
        try {
            return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException("cannot parse the backup XML", e);
        }
    }

    /** The real location a path refers to: symbolic links of the path or of its directory resolved. */
    private static Path resolve(String path) throws IOException {
        Path p = Path.of(path).toAbsolutePath().normalize();
        if (Files.exists(p)) {
            return p.toRealPath();
        }
        return p.getParent() != null && Files.isDirectory(p.getParent())
                ? p.getParent().toRealPath().resolve(p.getFileName()) : p;
    }

    private static boolean ask(BufferedReader stdin) {
        System.out.print("start this backup? [y/N] ");
        System.out.flush();
        try {
            String answer = stdin.readLine();
            return answer != null && answer.strip().equalsIgnoreCase("y");
        } catch (IOException e) {
            return false;
        }
    }
}
