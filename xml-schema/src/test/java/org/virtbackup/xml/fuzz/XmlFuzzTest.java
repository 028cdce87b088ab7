// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.xml.BackupXml;
import org.virtbackup.xml.CheckpointXml;
import org.virtbackup.xml.DomainXml;

/**
 * Issue 7, fuzzed input: generated or mutated {@code <domainbackup>}, {@code <domaincheckpoint>}
 * and {@code <domain>} documents: {@value #DEFAULT_CASES} in every build (about 17 s), the 10,000 with
 * {@code -Dvirtbackup.fuzz.xml.cases=10000} (about 65 s; RELIABILITY.md), another sequence with
 * {@code -Dvirtbackup.fuzz.seed=S}. Each goes
 * through every parse entry point, the validator, the format round trip and the aligners; each must succeed or
 * fail with a {@code VirtBackupException} carrying a documented code, in bounded time, without reading the
 * canary file or connecting to the trap socket. Failing cases are written to {@code target/fuzz-findings}.
 */
class XmlFuzzTest {
    static final int DEFAULT_CASES = 2_000;
    private static final int BATCH = 500;
    private static final String CANARY = "VIRTBACKUP-FUZZ-CANARY-4f1c";
    private static final Path RESOURCES = Path.of("src", "test", "resources");

    @TempDir
    static Path tmp;
    private static ServerSocket trap;
    private static List<Seed> seeds;
    private static Vocabulary vocabulary;
    private static Hostile hostile;
    private static XmlFuzzTarget target;

    /** A golden document and its root element. */
    record Seed(String name, String root, String xml) {
    }

    @BeforeAll
    static void setUp() throws IOException {
        Path canary = tmp.resolve("canary.txt");
        Files.writeString(canary, CANARY);
        trap = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        hostile = new Hostile(canary.toUri().toString(), "http://127.0.0.1:" + trap.getLocalPort() + "/");
        seeds = new ArrayList<>();
        addSeeds("backupxml2xml/in", "domainbackup");
        addSeeds("backupxml2xml/out", "domainbackup");
        addSeeds("checkpointxml2xml/in", "domaincheckpoint");
        addSeeds("checkpointxml2xml/out", "domaincheckpoint");
        addSeeds("domain", "domain");
        vocabulary = Vocabulary.of(seeds.stream().map(Seed::xml).toList());
        String domainXml = read(RESOURCES.resolve("domain/full-domain.xml"));
        target = new XmlFuzzTarget(DomainXml.parse(domainXml),
                BackupXml.parse(read(RESOURCES.resolve("backupxml2xml/in/backup-push.xml"))),
                CheckpointXml.postParse(CheckpointXml.parse(read(RESOURCES.resolve("checkpointxml2xml/in/sample.xml"))),
                        1_700_000_000L), CANARY);
    }

    @AfterAll
    static void closeTrap() throws IOException {
        if (trap != null) {
            trap.close();
        }
    }

    private static void addSeeds(String dir, String root) throws IOException {
        try (Stream<Path> s = Files.list(RESOURCES.resolve(dir))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".xml")).sorted().toList()) {
                seeds.add(new Seed(dir + "/" + p.getFileName(), root, read(p)));
            }
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void everyDocumentParsesOrFailsWithALibvirtCodeAndNothingIsFetched() throws IOException {
        int cases = Integer.getInteger("virtbackup.fuzz.xml.cases", DEFAULT_CASES);
        long seed = Long.getLong("virtbackup.fuzz.seed", 7L);
        Map<String, String> findings = new LinkedHashMap<>();
        long started = System.nanoTime();
        for (int from = 0; from < cases; from += BATCH) {
            int start = from;
            int end = Math.min(cases, from + BATCH);
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (int i = start; i < end; i++) {
                    runCase(seed, i, findings);
                }
            }, () -> "batch of cases " + start + ".." + (end - 1) + " (seed " + seed + ") did not finish in 60 s");
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("xml fuzz: %d cases, seed %d, %d ms, %d distinct problems%n", cases, seed, millis,
                findings.size());
        target.outcomes().forEach((k, v) -> System.out.printf("  %-50s %d%n", k, v));
        assertEquals(0, trapConnections(), "a parser connected to the trap socket");
        if (!findings.isEmpty()) {
            fail(findings.size() + " distinct problems (documents in target/fuzz-findings):\n"
                    + String.join("\n\n", findings.values()));
        }
    }

    private static void runCase(long seed, int index, Map<String, String> findings) throws IOException {
        Random r = new Random(seed * 1_000_003L + index);
        Seed s = seeds.get(r.nextInt(seeds.size()));
        List<String> log = new ArrayList<>();
        String xml = document(s, r, log);
        long t0 = System.nanoTime();
        XmlFuzzTarget.Problem p = target.run(xml);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (ms > 1000) {
            System.out.println("slow xml fuzz case " + index + ": " + ms + " ms, " + xml.length() + " chars " + log);
        }
        if (p != null && !findings.containsKey(p.key())) {
            Path dir = Files.createDirectories(Path.of("target", "fuzz-findings"));
            Files.writeString(dir.resolve("xml-" + seed + "-" + index + ".xml"), xml, StandardCharsets.UTF_8);
            StringBuilder b = new StringBuilder("case " + index + " (" + s.name() + ", " + log + "): " + p.entry()
                    + ": " + p.kind() + "\n  " + Values.describe(p.detail() == null ? "" : p.detail()));
            if (p.error() != null) {
                b.append("\n  ").append(p.error());
                for (int f = 0; f < Math.min(6, p.error().getStackTrace().length); f++) {
                    b.append("\n    at ").append(p.error().getStackTrace()[f]);
                }
            }
            findings.put(p.key(), b.toString());
        }
    }

    /** Generated (15 %), attacked golden (15 %), or a golden with 1 to 4 mutations, sometimes also attacked. */
    static String document(Seed s, Random r, List<String> log) {
        int kind = r.nextInt(20);
        if (kind < 3) {
            log.add("generated");
            return Hostile.generate(s.root(), vocabulary, r);
        }
        if (kind < 6) {
            return hostile.attack(s.xml(), s.root(), r, log);
        }
        XmlMutator m = new XmlMutator(r, vocabulary);
        String xml = s.xml();
        int ops = 1 + r.nextInt(4);
        for (int i = 0; i < ops; i++) {
            xml = m.mutate(xml);
        }
        log.addAll(m.log());
        return kind == 19 ? hostile.attack(xml, s.root(), r, log) : xml;
    }

    private static int trapConnections() throws IOException {
        trap.setSoTimeout(50);
        int n = 0;
        while (true) {
            try (Socket s = trap.accept()) {
                n++;
            } catch (SocketTimeoutException e) {
                return n;
            }
        }
    }
}
