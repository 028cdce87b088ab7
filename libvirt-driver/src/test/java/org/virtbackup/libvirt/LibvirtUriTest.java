// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;

class LibvirtUriTest {

    private static LibvirtUri parse(String uri, Map<String, String> options) {
        return LibvirtUri.parse(URI.create(uri), options);
    }

    @Test
    void theDomainParameterIsOursAndTheRestGoesToLibvirtUnchanged() {
        LibvirtUri u = parse("qemu:///embed?root=/tmp/r%20x&domain=vm1", Map.of());
        assertThat(u.libvirt()).isEqualTo("qemu:///embed?root=/tmp/r%20x");
        assertThat(u.domain()).hasValue("vm1");

        LibvirtUri s = parse("qemu:///system?domain=vm%2F2&socket=/run/p/libvirt-sock", Map.of());
        assertThat(s.libvirt()).isEqualTo("qemu:///system?socket=/run/p/libvirt-sock");
        assertThat(s.domain()).hasValue("vm/2");
    }

    @Test
    void remoteUrisKeepUserHostPortAndParameters() {
        LibvirtUri u = parse("qemu+ssh://root@host:2222/system?keyfile=/k&no_verify=1", Map.of("domain", "d"));
        assertThat(u.libvirt()).isEqualTo("qemu+ssh://root@host:2222/system?keyfile=/k&no_verify=1");
        assertThat(u.domain()).hasValue("d");
        assertThat(parse("qemu+tls://h/system", Map.of()).libvirt()).isEqualTo("qemu+tls://h/system");
        assertThat(parse("qemu:///session", Map.of()).domain()).isEmpty();
    }

    /** What only our QEMU driver tunes (README's table): libvirt takes these from its own qemu.conf. */
    @Test
    void ourQemuDriversTuningOptionsAreRefusedByName() {
        Map<String, String> options = Map.of("pullMethod", "cbw", "backupSpeed", "1048576", "tlsDir", "/etc/pki/vb");
        for (Map.Entry<String, String> o : options.entrySet()) {
            assertThatThrownBy(() -> parse("qemu:///system", Map.of(o.getKey(), o.getValue())))
                    .isInstanceOfSatisfying(VirtBackupException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARG);
                        assertThat(e.getMessage()).isEqualTo("unknown option '" + o.getKey()
                                + "' for the libvirt driver (known: domain)");
                    });
        }
    }

    @Test
    void theUrisDomainWinsOverTheOption() {
        assertThat(parse("qemu:///system?domain=a", Map.of("domain", "b")).domain()).hasValue("a");
    }

    @Test
    void unknownOptionsAndSchemesAreRefused() {
        assertThatThrownBy(() -> parse("qemu:///system", Map.of("qmpHold", "connection")))
                .isInstanceOfSatisfying(VirtBackupException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARG));
        assertThatThrownBy(() -> parse("xen:///system", Map.of()))
                .isInstanceOfSatisfying(VirtBackupException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARG));
    }

    @Test
    void theDriverServesLibvirtsQemuSchemes() {
        assertThat(new LibvirtDriver().uriSchemes()).contains("qemu", "qemu+ssh", "qemu+tls", "qemu+unix")
                .doesNotContain("qmp+unix");
    }
}
