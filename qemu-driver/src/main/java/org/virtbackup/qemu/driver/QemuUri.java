// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * A parsed {@code qmp+unix:///path/to/qmp.sock?domain=NAME&statedir=DIR&domainxml=FILE} URI.
 *
 * @param socket the QMP socket
 * @param domain the domain name, if given
 * @param stateDir the state directory, if given in the URI
 * @param domainXml a libvirt {@code <domain>} XML file naming the disks, if given
 */
record QemuUri(Path socket, Optional<String> domain, Optional<Path> stateDir, Optional<Path> domainXml) {

    static final String SCHEME = "qmp+unix";

    static QemuUri parse(URI uri) {
        if (!SCHEME.equalsIgnoreCase(uri.getScheme())) {
            throw invalid(uri, "the scheme must be " + SCHEME);
        }
        if (uri.getRawAuthority() != null && !uri.getRawAuthority().isEmpty()) {
            throw invalid(uri, "a host is not supported; the socket is local: qmp+unix:///path/to/qmp.sock");
        }
        String path = uri.getPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            throw invalid(uri, "the socket path is missing: qmp+unix:///path/to/qmp.sock");
        }
        Map<String, String> query = query(uri);
        for (String key : query.keySet()) {
            if (!key.equals("domain") && !key.equals("statedir") && !key.equals("domainxml")) {
                throw invalid(uri, "unknown parameter '" + key + "' (known: domain, statedir, domainxml)");
            }
        }
        return new QemuUri(Path.of(path), Optional.ofNullable(query.get("domain")),
                Optional.ofNullable(query.get("statedir")).map(Path::of),
                Optional.ofNullable(query.get("domainxml")).map(Path::of));
    }

    /** The URI's query parameters, decoded (shared with {@link QsdUri}). */
    static Map<String, String> query(URI uri) {
        Map<String, String> m = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            m.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return m;
    }

    /** An {@code INVALID_ARG} naming the URI (shared with {@link QsdUri}). */
    static VirtBackupException invalid(URI uri, String why) {
        return new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.QEMU,
                "invalid connection URI '" + uri + "': " + why);
    }
}
