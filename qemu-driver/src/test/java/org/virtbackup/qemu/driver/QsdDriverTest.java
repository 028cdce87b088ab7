// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.Connections;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;

/** The {@code qsd} driver's URI, options and disks, refused before any daemon starts; no QEMU needed. */
class QsdDriverTest {

    @TempDir
    Path tmp;

    private static void assertCode(Runnable r, ErrorCode code, String message) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(VirtBackupException.class,
                e -> assertThat(e.code()).isEqualTo(code)).hasMessageContaining(message);
    }

    private Path domain(String disk) throws Exception {
        return Files.writeString(tmp.resolve("domain.xml"), "<domain type='kvm'><name>vm1</name><devices>" + disk
                + "</devices></domain>");
    }

    @Test
    void uriIsParsedAndCheckedLikeTheQmpDriversOne() {
        QsdUri u = QsdUri.parse(URI.create("qsd:///etc/vm1.xml?domain=other&statedir=/tmp/s"));
        assertThat(u.domainXml()).isEqualTo(Path.of("/etc/vm1.xml"));
        assertThat(u.domain()).contains("other");
        assertThat(u.stateDir()).contains(Path.of("/tmp/s"));
        assertCode(() -> QsdUri.parse(URI.create("qsd://host/etc/vm1.xml")), ErrorCode.INVALID_ARG, "a host");
        assertCode(() -> QsdUri.parse(URI.create("qsd:///etc/vm1.xml?socket=x")), ErrorCode.INVALID_ARG,
                "unknown parameter 'socket'");
        assertCode(() -> QsdUri.parse(URI.create("qsd:///")), ErrorCode.INVALID_ARG, "absolute path");
    }

    @Test
    void theDriverIsFoundByItsSchemeAndRefusesADomainXmlOption() throws Exception {
        Path xml = domain("");
        assertCode(() -> Connections.open(URI.create("qsd://" + xml), Map.of("stateDir", tmp.toString(),
                "domainXml", xml.toString())), ErrorCode.INVALID_ARG, "option domainXml does not apply");
    }

    @Test
    void disksItCannotOpenAreRefusedAtOpen() throws Exception {
        Path xml = domain("<disk type='network' device='disk'><driver name='qemu' type='raw'/>"
                + "<source protocol='nbd' name='x'><host name='h'/></source><target dev='vda'/></disk>");
        assertCode(() -> Connections.open(URI.create("qsd://" + xml), Map.of("stateDir", tmp.toString())),
                ErrorCode.CONFIG_UNSUPPORTED, "disk 'vda' has type 'network': the offline driver opens file and "
                        + "block disks only");
        Path vmdk = domain("<disk type='file' device='disk'><driver name='qemu' type='vmdk'/>"
                + "<source file='/x.vmdk'/><target dev='vda'/></disk>");
        assertCode(() -> Connections.open(URI.create("qsd://" + vmdk), Map.of("stateDir", tmp.toString())),
                ErrorCode.CONFIG_UNSUPPORTED, "format 'vmdk'");
    }

    @Test
    void aSocketPathTooLongForTheKernelIsRefusedWithWhatToDo() throws Exception {
        Path xml = domain("");
        Path state = tmp.resolve("s".repeat(100));
        assertCode(() -> Connections.open(URI.create("qsd://" + xml), Map.of("stateDir", state.toString())),
                ErrorCode.INVALID_ARG, "use a shorter state directory");
    }
}
