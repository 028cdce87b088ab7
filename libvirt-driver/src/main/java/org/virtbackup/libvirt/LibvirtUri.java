// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * A connection URI split into what libvirt gets and what is ours: the {@code domain=} query parameter (as in
 * every virtbackup URI) or the {@code domain} option. Everything else, {@code root=}, {@code socket=},
 * {@code no_verify=}, ..., goes to libvirt unchanged (raw, as the user encoded it).
 *
 * @param libvirt the URI handed to {@code virConnectOpen}
 * @param domain the domain's name, if the URI or the options name one
 */
record LibvirtUri(String libvirt, Optional<String> domain) {

    /** libvirt's QEMU driver URI schemes: local, and through the remote driver's transports. */
    static final Set<String> SCHEMES = Set.of("qemu", "qemu+unix", "qemu+ssh", "qemu+libssh", "qemu+libssh2",
            "qemu+tls", "qemu+tcp", "qemu+ext");

    private static final String DOMAIN = "domain";

    /**
     * Parses a URI.
     *
     * @param uri a URI with one of {@link #SCHEMES}
     * @param options driver options; only {@code domain} is known
     * @throws VirtBackupException {@link ErrorCode#INVALID_ARG} for an unknown option or scheme
     */
    static LibvirtUri parse(URI uri, Map<String, String> options) {
        for (String key : options.keySet()) {
            if (!key.equals(DOMAIN) && !key.equals("stateDir")) {
                // stateDir is the CLI's --state-dir: libvirt keeps its own state, so it is accepted and unused
                throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.NONE,
                        "unknown option '" + key + "' for the libvirt driver (known: domain)");
            }
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.URI,
                    "URI scheme '" + scheme + "' is not one of libvirt's QEMU schemes " + SCHEMES);
        }
        Optional<String> fromUri = Optional.empty();
        List<String> kept = new ArrayList<>();
        String rawQuery = uri.getRawQuery();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (pair.startsWith(DOMAIN + "=")) {
                    fromUri = Optional.of(decode(pair.substring(DOMAIN.length() + 1)));
                } else if (!pair.isEmpty()) {
                    kept.add(pair);
                }
            }
        }
        Optional<String> domain = fromUri.or(() -> Optional.ofNullable(options.get(DOMAIN)))
                .filter(d -> !d.isEmpty());
        return new LibvirtUri(rebuild(uri, kept), domain);
    }

    private static String rebuild(URI uri, List<String> query) {
        StringBuilder b = new StringBuilder(uri.getScheme()).append(':');
        String ssp = uri.getRawSchemeSpecificPart();
        int q = ssp.indexOf('?');
        b.append(q < 0 ? ssp : ssp.substring(0, q));
        if (!query.isEmpty()) {
            b.append('?').append(String.join("&", query));
        }
        if (uri.getRawFragment() != null) {
            b.append('#').append(uri.getRawFragment());
        }
        return b.toString();
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
    }
}
