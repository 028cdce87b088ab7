// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.xml.model.BackupDef;
import org.virtbackup.xml.model.BackupDiskDef;
import org.virtbackup.xml.model.DiskDevice;
import org.virtbackup.xml.model.DiskType;
import org.virtbackup.xml.model.DomainDef;
import org.virtbackup.xml.model.DomainDiskDef;
import org.virtbackup.xml.model.ServerDef;
import org.virtbackup.xml.model.XmlNode;

/**
 * Every backup rejection with libvirt's code and message (libvirt-backup-reference.md §1, §3.5). "public"
 * cases go through {@link BackupXml#parse} (schema first), "internal" through {@link BackupXml#parseInternal}
 * (parser rules only); each parsed definition is then aligned with {@link #domain()}.
 */
class BackupRejectionTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                // alignment (virDomainBackupAlignDisks)
                reject("public", disks("<disk name='vdz' type='file'/>"), ErrorCode.CONFIG_UNSUPPORTED,
                        "no disk named 'vdz'"),
                reject("public", disks("<disk name='vda'/><disk name='vda' type='file'/>"),
                        ErrorCode.CONFIG_UNSUPPORTED, "disk 'vda' specified twice"),
                reject("public", disks("<disk name='vda' type='file' backupmode='incremental'/>"),
                        ErrorCode.CONFIG_UNSUPPORTED, "'incremental' backup mode of disk 'vda' requires setting"
                                + " 'incremental' field for disk or backup"),
                reject("public", disks("<disk name='hdc' type='file'/>"), ErrorCode.CONFIG_UNSUPPORTED,
                        "disk 'hdc' has no media"),
                reject("public", disks("<disk name='vdb' type='file'/>"), ErrorCode.CONFIG_UNSUPPORTED,
                        "refusing to generate file name for disk 'vdb'"),
                reject("public", disks("<disk name='vdc' type='block'/>"), ErrorCode.CONFIG_UNSUPPORTED,
                        "refusing to generate file name for disk 'vdc'"),
                // begin-time checks (qemuBackupPrepare, qemuBackupDiskPrepareData)
                reject("public", disks("<disk name='vda' backup='no'/>"), ErrorCode.CONFIG_UNSUPPORTED,
                        "no disks selected for backup"),
                reject("public", "<domainbackup mode='pull'><server name='localhost'/></domainbackup>",
                        ErrorCode.OPERATION_UNSUPPORTED, "<domainbackup> must specify TCP port for now"),
                reject("internal", "<domainbackup mode='pull'/>", ErrorCode.OPERATION_UNSUPPORTED,
                        "<domainbackup> must specify TCP port for now"),
                // parser rules (virDomainBackupDefParse and friends)
                reject("internal", "<domainbackup mode='default'/>", ErrorCode.CONFIG_UNSUPPORTED,
                        "unknown backup mode 'default'"),
                reject("internal", "<domainbackup><server name='h' port='1'/></domainbackup>",
                        ErrorCode.CONFIG_UNSUPPORTED, "use of <server> requires pull mode backup"),
                reject("internal", pull("<server transport='rdma' name='h' port='1'/>"),
                        ErrorCode.CONFIG_UNSUPPORTED, "transport rdma is not supported for <server>"),
                reject("internal", pull("<server transport='ipx' name='h'/>"), ErrorCode.CONFIG_UNSUPPORTED,
                        "unknown protocol transport type 'ipx'"),
                reject("internal", pull("<server transport='unix' socket='rel/nbd.sock'/>"),
                        ErrorCode.XML_ERROR, "backup socket path 'rel/nbd.sock' must be absolute"),
                reject("internal", pull("<server transport='unix'/>"), ErrorCode.XML_ERROR,
                        "missing socket for unix transport"),
                reject("internal", pull("<server socket='/x'/>"), ErrorCode.XML_ERROR,
                        "transport 'tcp' does not support socket attribute"),
                reject("internal", pull("<server transport='tcp'/>"), ErrorCode.XML_ERROR,
                        "missing name for host"),
                reject("internal", pull("<server transport='fd'/>"), ErrorCode.XML_ERROR,
                        "missing fdgroup for fd transport"),
                reject("public", pull("<server name='localhost' port='70000'/>"), ErrorCode.INVALID_ARG,
                        "port '70000' out of range"),
                reject("internal", pull("<server name='localhost' port='x1'/>"), ErrorCode.INVALID_ARG,
                        "failed to parse port number 'x1'"),
                reject("public", pull("<server name='localhost' port='1' tls='maybe'/>"),
                        ErrorCode.XML_INVALID_SCHEMA, "attribute \"tls\""),
                reject("internal", pull("<server name='localhost' port='1' tls='maybe'/>"), ErrorCode.XML_ERROR,
                        "invalid value for attribute 'tls' in element 'server': 'maybe'. Expected 'yes' or 'no'"),
                reject("internal", disks("<disk type='file'/>"), ErrorCode.XML_ERROR,
                        "missing name from disk backup element"),
                reject("internal", disks("<disk name='vda' type='network' state='running'/>"), ErrorCode.XML_ERROR,
                        "unsupported disk backup type 'network'"),
                reject("internal", disks("<disk name='vda' type='floppy' state='running'/>"), ErrorCode.XML_ERROR,
                        "unknown disk backup type 'floppy'"),
                reject("internal", disks("<disk name='vda' backupmode='fast' state='running'/>"),
                        ErrorCode.XML_ERROR, "invalid backupmode 'fast' of disk 'vda'"),
                reject("internal", disks("<disk name='vda' type='file'/>"), ErrorCode.INTERNAL_ERROR,
                        "disk 'vda' backup state wrong or missing"),
                reject("internal", disks("<disk name='vda' state='running' index='x'/>"), ErrorCode.XML_ERROR,
                        "cannot parse disk index 'x'"),
                reject("internal", disks("<disk name='vda' state='running'><driver type='foo'/></disk>"),
                        ErrorCode.INVALID_ARG, "unknown disk backup driver 'foo'"),
                reject("internal", pull("<server name='h' port='1'/><disks><disk name='vda' state='running'>"
                        + "<driver type='raw'/></disk></disks>"), ErrorCode.INVALID_ARG,
                        "pull mode requires qcow2 driver, not 'raw'"),
                reject("internal", disks("<disk name='vda' state='running'><target file='/t'>"
                        + "<seclabel relabel='no'><label>x</label></seclabel></target></disk>"),
                        ErrorCode.XML_ERROR, "cannot specify a label if relabelling is turned off. model=<null>"),
                // the schema speaks first for public documents
                reject("public", "<domainbackup><server name='h' port='1'/></domainbackup>",
                        ErrorCode.XML_INVALID_SCHEMA, "line 1"),
                reject("public", disks("<disk name='vda' backup='maybe'/>"), ErrorCode.XML_INVALID_SCHEMA,
                        "attribute \"backup\""),
                reject("public", "<domainbackup mode='pull'/>", ErrorCode.XML_INVALID_SCHEMA, "server"),
                reject("public", "<domainbackup>\n  <disks/>\n</domainbackup>", ErrorCode.XML_INVALID_SCHEMA,
                        "line 2"),
                reject("public", "<domaincheckpoint/>", ErrorCode.XML_ERROR,
                        "expecting root element of 'domainbackup', not 'domaincheckpoint'"),
                reject("public", "<domainbackup>", ErrorCode.XML_DETAIL, "malformed XML at line 1"));
    }

    @ParameterizedTest(name = "{0}: {2} {3}")
    @MethodSource("cases")
    void rejected(String form, String xml, ErrorCode code, String message) {
        VirtBackupException e = assertThrows(VirtBackupException.class, () -> {
            BackupDef def = form.equals("internal") ? BackupXml.parseInternal(xml) : BackupXml.parse(xml);
            BackupAligner.align(def, domain(), "SUFFIX");
        });
        assertEquals(code, e.code(), e.getMessage());
        if (code == ErrorCode.XML_INVALID_SCHEMA || message.startsWith("malformed")) {
            org.assertj.core.api.Assertions.assertThat(e.getMessage()).contains(message);
        } else {
            org.assertj.core.api.Assertions.assertThat(e.getMessage()).isIn(message);
        }
    }

    /** Rules only reachable with definitions built in code (the parser or schema catches them in text). */
    static Stream<Arguments> programmatic() {
        BackupDiskDef rawScratch = BackupDiskDef.selected("vda").withDriverType("raw");
        ServerDef unix = ServerDef.unix("/run/nbd.sock");
        return Stream.of(
                Arguments.of(new BackupDef(BackupMode.PULL, Optional.empty(), Optional.of(unix), List.of(rawScratch)),
                        domain(), ErrorCode.CONFIG_UNSUPPORTED, "pull mode backup for disk 'vda' requires qcow2 driver"),
                Arguments.of(new BackupDef(BackupMode.PUSH, Optional.empty(), Optional.empty(), List.of()),
                        new DomainDef("d", Optional.empty(), List.of(), new XmlNode("domain", List.of(), List.of(), "")),
                        ErrorCode.CONFIG_UNSUPPORTED, "domain must have at least one disk to perform backup"),
                Arguments.of(new BackupDef(BackupMode.PUSH, Optional.empty(), Optional.empty(), List.of()),
                        domainOf(cdrom()), ErrorCode.CONFIG_UNSUPPORTED, "no disks selected for backup"),
                Arguments.of(new BackupDef(BackupMode.PULL, Optional.empty(),
                        Optional.of(new ServerDef(org.virtbackup.xml.model.Transport.RDMA, Optional.of("h"),
                                OptionalInt.of(1), Optional.empty(), Optional.empty(), Optional.empty())), List.of()),
                        domain(), ErrorCode.CONFIG_UNSUPPORTED, "unexpected transport in <domainbackup>"));
    }

    @ParameterizedTest(name = "{3}")
    @MethodSource("programmatic")
    void rejectedInAlignment(BackupDef def, DomainDef dom, ErrorCode code, String message) {
        VirtBackupException e = assertThrows(VirtBackupException.class, () -> BackupAligner.align(def, dom, "S"));
        assertEquals(code, e.code());
        assertEquals(message, e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void unknownIncrementalCheckpoint() {
        BackupDef def = BackupXml.parse("<domainbackup><incremental>cp9</incremental></domainbackup>");
        VirtBackupException e = assertThrows(VirtBackupException.class,
                () -> BackupAligner.align(def, domain(), "S", "cp1"::equals));
        assertEquals(ErrorCode.NO_DOMAIN_CHECKPOINT, e.code());
        assertEquals("Checkpoint 'cp9' for incremental backup of disk 'vda' not found", e.getMessage());
    }

    private static Arguments reject(String form, String xml, ErrorCode code, String message) {
        return Arguments.of(form, xml, code, message);
    }

    private static String disks(String disks) {
        return "<domainbackup><disks>" + disks + "</disks></domainbackup>";
    }

    private static String pull(String body) {
        return "<domainbackup mode='pull'>" + body + "</domainbackup>";
    }

    /**
     * vda: qcow2 file; vdb: block device; vdc: rbd; hdc: empty CD-ROM. vdb and vdc are read-only, so a document
     * without {@code <disks>} selects only vda, while listing them still reaches the store rules: libvirt's
     * backup alignment checks read-only only when it selects disks itself.
     */
    static DomainDef domain() {
        return domainOf(DomainDiskDef.qcow2File("vda", "/img/vda.qcow2"),
                new DomainDiskDef(DiskType.BLOCK, DiskDevice.DISK, Optional.of("raw"), Optional.of("/dev/sdb"),
                        "vdb", Optional.empty(), true, false),
                new DomainDiskDef(DiskType.NETWORK, DiskDevice.DISK, Optional.of("raw"), Optional.of("pool/img"),
                        "vdc", Optional.empty(), true, false),
                cdrom());
    }

    private static DomainDiskDef cdrom() {
        return new DomainDiskDef(DiskType.FILE, DiskDevice.CDROM, Optional.empty(), Optional.empty(), "hdc",
                Optional.empty(), true, false);
    }

    private static DomainDef domainOf(DomainDiskDef... disks) {
        return new DomainDef("d", Optional.empty(), List.of(disks), new XmlNode("domain", List.of(), List.of(), ""));
    }
}
