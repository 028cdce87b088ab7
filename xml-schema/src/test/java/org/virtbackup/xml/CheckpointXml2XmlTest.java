// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.xml.model.CheckpointDef;
import org.virtbackup.xml.model.CheckpointType;
import org.virtbackup.xml.model.DomainDef;
import org.virtbackup.xml.model.DomainDiskDef;
import org.virtbackup.xml.model.XmlNode;

/**
 * libvirt's qemudomaincheckpointxml2xmltest: creation cases are parsed, post-parsed with a fixed creation
 * time, given a parent where the case says so (as the driver sets the current checkpoint), aligned with a fake
 * domain (vda, vdb: qcow2 files) and formatted SECURE without the domain; redefine cases are parsed with
 * REDEFINE, aligned against their own embedded domain and formatted with it. {@code *-invalid.xml} must fail.
 */
class CheckpointXml2XmlTest {
    private static final Path DIR = Golden.RESOURCES.resolve("checkpointxml2xml");

    record Case(String file, boolean redefine, long time, Optional<String> parent, boolean size) {
        @Override
        public String toString() {
            return file;
        }
    }

    static Stream<Case> cases() {
        Optional<String> parent = Optional.of("1525111885");
        return Stream.of(
                new Case("empty.xml", false, 1525889631L, Optional.empty(), false),
                new Case("sample.xml", false, 1525889631L, parent, false),
                new Case("disk-default.xml", false, 1525889631L, parent, false),
                new Case("disk-by-path.xml", false, 1525889631L, Optional.empty(), false),
                new Case("size.xml", false, 1553648510L, parent, true),
                new Case("description-escape.xml", false, 1525889631L, Optional.empty(), false),
                new Case("redefine.xml", true, 0, Optional.empty(), false),
                new Case("redefine-nodomain.xml", true, 0, Optional.empty(), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void roundTrip(Case c) {
        String in = Golden.read(DIR.resolve("in").resolve(c.file()));
        String out;
        if (c.redefine()) {
            CheckpointDef def = CheckpointAligner.alignRedefine(CheckpointXml.parseRedefine(in));
            out = CheckpointXml.format(def, true, false, false);
        } else {
            CheckpointDef def = CheckpointXml.postParse(CheckpointXml.parse(in), c.time()).withParent(c.parent());
            def = CheckpointAligner.align(def, fakeDomain());
            if (c.size()) {
                def = def.withDisks(def.disks().stream().map(d -> d.checkpoint() == CheckpointType.BITMAP
                        ? d.withSize(1048576) : d).toList());
            }
            out = CheckpointXml.format(def, true, true, c.size());
        }
        Golden.check(DIR.resolve("out").resolve(c.file()), out);
        // a stored checkpoint is read back with REDEFINE: the output must survive that unchanged
        if (!c.size()) {
            CheckpointDef again = CheckpointAligner.alignRedefine(CheckpointXml.parseRedefine(out));
            assertEquals(out, CheckpointXml.format(again, true, false, false));
        }
    }

    /**
     * libvirt's {@code DO_TEST_OUT("redefine")}: a document in the form libvirt prints (creation time, parent, every
     * disk with its bitmap or {@code checkpoint='no'}, the embedded domain) is parsed with REDEFINE and formatted
     * SECURE with its domain, without alignment, and comes out byte for byte as it went in. Recognizing the form
     * does the same; a creation of the same text keeps only what a creation reads.
     */
    @Test
    void aRedefineDocumentRoundTripsAsLibvirtsOutToOutCase() {
        String doc = Golden.read(DIR.resolve("out").resolve("redefine-full.xml"));
        CheckpointDef def = CheckpointXml.parseRedefine(doc);
        assertEquals(doc, CheckpointXml.format(def, true, false, false));
        assertEquals(doc, CheckpointXml.format(CheckpointXml.parseRecognizing(doc), true, false, false));

        assertThat(def.name()).hasValue("weekly-07");
        assertThat(def.parent()).hasValue("weekly-06");
        assertThat(def.creationTime()).hasValue(1767225600L);
        assertThat(def.disks()).extracting(d -> d.name() + "=" + d.checkpoint().xmlValue() + d.bitmap().map(
                b -> ":" + b).orElse("")).containsExactly("sda=no", "sdb=no", "vda=bitmap:weekly-07",
                        "vdb=bitmap:weekly-07-db");
        DomainDef domain = def.domain().orElseThrow().definition();
        assertThat(domain.name()).isEqualTo("db-primary");
        assertThat(domain.uuid()).hasValue("5b0e2a6c-3f4d-4e8a-9c21-7d6f1e0a4b93");
        assertThat(domain.disks()).extracting(DomainDiskDef::targetDev).containsExactly("sda", "sdb", "vda", "vdb");
        assertThat(CheckpointXml.format(def, false, false, false)).doesNotContain("passwd")
                .contains("<graphics type='vnc' port='-1' autoport='yes'/>");
        assertThat(CheckpointXml.format(def, true, true, false)).doesNotContain("<domain ").contains("<creationTime>");

        CheckpointDef created = CheckpointXml.parse(doc);
        assertThat(created.creationTime()).isEmpty();
        assertThat(created.parent()).isEmpty();
        assertThat(created.domain()).isEmpty();
        assertThat(created.disks()).hasSize(4);
    }

    /** Without a {@code <creationTime>}, recognizing the form parses a creation: a domain given with it is ignored. */
    @Test
    void aDocumentWithoutCreationTimeIsRecognizedAsACreation() {
        String doc = "<domaincheckpoint><name>c</name><parent><name>p</name></parent></domaincheckpoint>";
        CheckpointDef def = CheckpointXml.parseRecognizing(doc);
        assertThat(def.parent()).isEmpty();
        assertThat(def.creationTime()).isEmpty();
        VirtBackupException e = assertThrows(VirtBackupException.class, () -> CheckpointXml.parseRedefine(doc));
        assertEquals(ErrorCode.INTERNAL_ERROR, e.code());
        assertThat(e.getMessage()).isEqualTo("missing creationTime from existing checkpoint");
    }

    static Stream<String> invalidCases() {
        return Golden.xmlFiles(DIR.resolve("in")).stream().filter(f -> f.endsWith("-invalid.xml"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidCases")
    void invalidInputIsRefused(String file) {
        String in = Golden.read(DIR.resolve("in").resolve(file));
        for (boolean redefine : List.of(false, true)) {
            VirtBackupException e = assertThrows(VirtBackupException.class,
                    () -> parse(in, redefine));
            assertEquals(ErrorCode.XML_INVALID_SCHEMA, e.code(), e.getMessage());
            assertThat(e.getMessage()).contains("line ");
        }
    }

    private static CheckpointDef parse(String xml, boolean redefine) {
        return redefine ? CheckpointXml.parseRedefine(xml) : CheckpointXml.parse(xml);
    }

    static DomainDef fakeDomain() {
        return new DomainDef("fake", Optional.empty(), List.of(
                DomainDiskDef.qcow2File("vda", "/fake/vda.qcow2"),
                DomainDiskDef.qcow2File("vdb", "/fake/vdb.qcow2")),
                new XmlNode("domain", List.of(), List.of(), ""));
    }
}
