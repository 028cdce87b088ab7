// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed {@code qsd:///ABSOLUTE/PATH/domain.xml?domain=NAME&statedir=DIR} URI: a stopped domain, served by a
 * {@code qemu-storage-daemon} on the images its libvirt {@code <domain>} XML names.
 *
 * @param domainXml the libvirt {@code <domain>} XML file
 * @param domain the domain name, if given (else the XML's {@code <name>})
 * @param stateDir the state directory, if given in the URI
 */
record QsdUri(Path domainXml, Optional<String> domain, Optional<Path> stateDir) {

    static final String SCHEME = "qsd";

    static QsdUri parse(URI uri) {
        if (!SCHEME.equalsIgnoreCase(uri.getScheme())) {
            throw QemuUri.invalid(uri, "the scheme must be " + SCHEME);
        }
        if (uri.getRawAuthority() != null && !uri.getRawAuthority().isEmpty()) {
            throw QemuUri.invalid(uri, "a host is not supported; the images are local: qsd:///path/to/domain.xml");
        }
        String path = uri.getPath();
        if (path == null || path.isEmpty() || path.equals("/") || !path.startsWith("/")) {
            throw QemuUri.invalid(uri, "the absolute path of the domain XML is missing: qsd:///path/to/domain.xml");
        }
        Map<String, String> query = QemuUri.query(uri);
        for (String key : query.keySet()) {
            if (!key.equals("domain") && !key.equals("statedir")) {
                throw QemuUri.invalid(uri, "unknown parameter '" + key + "' (known: domain, statedir)");
            }
        }
        return new QsdUri(Path.of(path), Optional.ofNullable(query.get("domain")),
                Optional.ofNullable(query.get("statedir")).map(Path::of));
    }
}
