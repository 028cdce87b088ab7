// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.io.StringReader;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.virtbackup.xml.BackupAligner;
import org.virtbackup.xml.BackupXml;
import org.virtbackup.xml.model.DomainDef;
import org.virtbackup.xml.model.DomainDiskDef;
import org.virtbackup.xml.model.XmlNode;
import org.xml.sax.InputSource;

/**
 * Parse (hardened SAX + Jing validation + JAXB) + align + format of a 16-disk push backup, the path of
 * {@code backupStart} up to the plan. Run with {@code ./scripts/benchmark xml [JMH options]} (BENCHMARKS.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 6, time = 4)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class XmlBench {
    private static final int DISKS = 16;

    private final String xml = backupXml();
    private final DomainDef domain = domain();
    private final DocumentBuilderFactory dom = domFactory();

    /** The measured operation. */
    @Benchmark
    public String parseAlignFormat() {
        return BackupXml.format(BackupAligner.align(BackupXml.parse(xml), domain, "1700000000"));
    }

    /** Parse only, to see what validation costs. */
    @Benchmark
    public Object parse() {
        return BackupXml.parse(xml);
    }

    /**
     * The reference: the JDK's DOM parser reading the same document (secure processing, no DTD, no validation,
     * no binding), the least any XML front end must do.
     */
    @Benchmark
    public Object referenceJdkDomParse() throws Exception {
        return dom.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    }

    private static DocumentBuilderFactory domFactory() {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return f;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    static String backupXml() {
        StringBuilder b = new StringBuilder("<domainbackup mode='push'>\n  <incremental>cp1</incremental>\n"
                + "  <disks>\n");
        for (int i = 0; i < DISKS; i++) {
            String name = diskName(i);
            if (i % 2 == 0) {
                b.append("    <disk name='").append(name).append("' type='file'>\n      <target file='/backup/")
                        .append(name).append(".qcow2'>\n        <seclabel model='dac' relabel='no'/>\n"
                                + "      </target>\n      <driver type='qcow2'/>\n    </disk>\n");
            } else {
                b.append("    <disk name='").append(name).append("' backup='yes' type='file' backupmode='full'/>\n");
            }
        }
        return b.append("  </disks>\n</domainbackup>\n").toString();
    }

    static DomainDef domain() {
        List<DomainDiskDef> disks = new ArrayList<>();
        for (int i = 0; i < DISKS; i++) {
            disks.add(DomainDiskDef.qcow2File(diskName(i), "/images/" + diskName(i) + ".qcow2"));
        }
        return new DomainDef("bench", Optional.empty(), disks, new XmlNode("domain", List.of(), List.of(), ""));
    }

    private static String diskName(int i) {
        return "vd" + (char) ('a' + i);
    }

    /**
     * {@code benchmark xml [JMH options]}: runs this class's benchmarks with the annotations' settings unless
     * options override them (e.g. {@code -wi 3 -w 3 -i 5 -r 3}); JMH forks a JVM from the same jar. The results
     * go to {@code benchmarks/results/xml-<date>.json} unless {@code -rf}/{@code -rff} are given.
     */
    static void main(String[] args) throws Exception {
        org.openjdk.jmh.Main.main(jmhArgs(args, LocalDateTime.now()).toArray(new String[0]));
    }

    /** The JMH command line for {@code benchmark xml ARGS}. */
    static List<String> jmhArgs(String[] args, LocalDateTime now) {
        List<String> jmh = new ArrayList<>(List.of(args).subList(Math.min(1, args.length), args.length));
        if (!jmh.contains("-rf") && !jmh.contains("-rff")) {
            jmh.addAll(List.of("-rf", "json", "-rff", "benchmarks/results/xml-"
                    + now.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".json"));
        }
        jmh.add(XmlBench.class.getName());
        return jmh;
    }
}
