// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import java.util.Objects;
import java.util.Optional;

/**
 * The pull-mode NBD server: libvirt's {@code <server>}.
 *
 * @param address where it listens
 * @param tlsDir the x509 certificate directory when {@code tls='yes'}
 * @param tlsVerifyPeer whether clients must present a certificate ({@code backup_tls_x509_verify})
 */
public record NbdServer(NbdAddress address, Optional<String> tlsDir, boolean tlsVerifyPeer) {

    public NbdServer {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(tlsDir, "tlsDir");
    }

    /** A unix socket without TLS. */
    public static NbdServer unix(String path) {
        return new NbdServer(new NbdAddress.Unix(path), Optional.empty(), false);
    }

    /** TCP without TLS. */
    public static NbdServer tcp(String host, int port) {
        return new NbdServer(new NbdAddress.Inet(host, port), Optional.empty(), false);
    }

    /** A copy with TLS from {@code dir}. */
    public NbdServer tls(String dir, boolean verifyPeer) {
        return new NbdServer(address, Optional.of(dir), verifyPeer);
    }
}
