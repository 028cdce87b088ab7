// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;

/**
 * Hostile documents: entities (XXE to a file and to the network, billion laughs), external DTDs, XInclude,
 * oversized and over-deep input. Each must fail with XML_ERROR (or, for XInclude, be treated as an unknown
 * element), and nothing may be read from disk or the network.
 */
class HardeningTest {
    /** Every entry point that reads text. */
    static Stream<Arguments> parsers() {
        return Stream.of(
                Arguments.of("backup", (Consumer<String>) BackupXml::parse, "domainbackup"),
                Arguments.of("backup-internal", (Consumer<String>) BackupXml::parseInternal, "domainbackup"),
                Arguments.of("checkpoint", (Consumer<String>) CheckpointXml::parse, "domaincheckpoint"),
                Arguments.of("checkpoint-redefine", (Consumer<String>) CheckpointXml::parseRedefine, "domaincheckpoint"),
                Arguments.of("domain", (Consumer<String>) DomainXml::parse, "domain"),
                Arguments.of("validate", (Consumer<String>) x -> XmlValidator.validate(XmlKind.BACKUP, x),
                        "domainbackup"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("parsers")
    void xxeToFileIsRefusedAndNothingLeaks(String label, Consumer<String> parser, String root, @TempDir Path tmp)
            throws Exception {
        Path secret = tmp.resolve("secret.txt");
        Files.writeString(secret, "TOP-SECRET-CONTENT");
        String xml = "<?xml version='1.0'?>\n<!DOCTYPE " + root + " [<!ENTITY xxe SYSTEM '" + secret.toUri()
                + "'>]>\n<" + root + "><name>&xxe;</name></" + root + ">";
        VirtBackupException e = assertThrows(VirtBackupException.class, () -> parser.accept(xml));
        assertEquals(ErrorCode.XML_ERROR, e.code());
        assertThat(e.getMessage()).contains("DOCTYPE").doesNotContain("TOP-SECRET");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("parsers")
    void networkEntitiesAndDtdsAreNeverFetched(String label, Consumer<String> parser, String root)
            throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(200);
            String url = "http://127.0.0.1:" + server.getLocalPort() + "/";
            String[] docs = {
                "<!DOCTYPE " + root + " [<!ENTITY x SYSTEM '" + url + "e'>]><" + root + ">&x;</" + root + ">",
                "<!DOCTYPE " + root + " SYSTEM '" + url + "dtd'><" + root + "/>",
                "<!DOCTYPE " + root + " [<!ENTITY % p SYSTEM '" + url + "p'> %p;]><" + root + "/>",
                "<!DOCTYPE " + root + " [<!ENTITY x SYSTEM 'http://127.0.0.1:1/'>]><" + root + ">&x;</" + root + ">",
            };
            for (String xml : docs) {
                VirtBackupException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                        () -> assertThrows(VirtBackupException.class, () -> parser.accept(xml)));
                assertEquals(ErrorCode.XML_ERROR, e.code(), e.getMessage());
            }
            AtomicInteger connections = new AtomicInteger();
            try {
                server.accept().close();
                connections.incrementAndGet();
            } catch (SocketTimeoutException expected) {
                // nobody connected: the parser fetched nothing
            }
            assertEquals(0, connections.get(), "the parser connected to " + url);
        }
    }

    @Test
    void billionLaughsIsRefusedQuickly() {
        StringBuilder dtd = new StringBuilder("<!DOCTYPE domainbackup [<!ENTITY l0 'lol'>");
        for (int i = 1; i <= 10; i++) {
            dtd.append("<!ENTITY l").append(i).append(" '").append(("&l" + (i - 1) + ";").repeat(10)).append("'>");
        }
        String xml = dtd + "]><domainbackup><incremental>&l10;</incremental></domainbackup>";
        VirtBackupException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(VirtBackupException.class, () -> BackupXml.parse(xml)));
        assertEquals(ErrorCode.XML_ERROR, e.code());
        assertThat(e.getMessage()).contains("DOCTYPE");
    }

    @Test
    void xincludeIsNotProcessed() {
        String xml = "<domainbackup xmlns:xi='http://www.w3.org/2001/XInclude'><xi:include href='file:///etc/passwd'"
                + " parse='text'/></domainbackup>";
        VirtBackupException e = assertThrows(VirtBackupException.class, () -> BackupXml.parse(xml));
        assertEquals(ErrorCode.XML_INVALID_SCHEMA, e.code());
        assertThat(e.getMessage()).contains("include").doesNotContain("root:");
    }

    @Test
    void oversizedInputIsRefused() {
        String xml = "<domainbackup><incremental>" + "x".repeat(1024 * 1024) + "</incremental></domainbackup>";
        VirtBackupException e = assertThrows(VirtBackupException.class, () -> BackupXml.parse(xml));
        assertEquals(ErrorCode.XML_ERROR, e.code());
        assertThat(e.getMessage()).contains("too large");
    }

    @Test
    void deepNestingIsRefused() {
        String deep = "<x>".repeat(100) + "</x>".repeat(100);
        VirtBackupException e = assertThrows(VirtBackupException.class,
                () -> BackupXml.parseInternal("<domainbackup>" + deep + "</domainbackup>"));
        assertEquals(ErrorCode.XML_ERROR, e.code());
        assertThat(e.getMessage()).contains("deeper than 64 levels");
    }

    @Test
    void embeddedDomainMayNestDeeperButNotWithoutBound() {
        String chain = "<backingStore type='file'><source file='/b'/>";
        String disk = "<devices><disk type='file'><source file='/a'/>" + chain.repeat(100)
                + "<backingStore/>" + "</backingStore>".repeat(100) + "<target dev='vda'/></disk></devices>";
        String cp = "<domaincheckpoint><name>c</name><creationTime>1</creationTime><domain type='kvm'><name>d</name>"
                + disk + "</domain></domaincheckpoint>";
        var def = CheckpointXml.parseRedefine(cp);
        assertEquals(true, def.domain().orElseThrow().definition().disks().get(0).hasBackingStore());
        String tooDeep = cp.replace(chain.repeat(100), chain.repeat(300)).replace("</backingStore>".repeat(100),
                "</backingStore>".repeat(300));
        VirtBackupException e = assertThrows(VirtBackupException.class, () -> CheckpointXml.parseRedefine(tooDeep));
        assertEquals(ErrorCode.XML_ERROR, e.code());
        assertThat(e.getMessage()).contains("deeper than 256 levels");
    }
}
