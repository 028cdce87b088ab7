// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code <domain>} a {@code <domaincheckpoint>} embeds (libvirt keeps the domain's definition in each
 * checkpoint; the public API has no other call that returns it), unindented to stand on its own. Pure.
 */
final class EmbeddedDomain {
    private static final Pattern DOMAIN = Pattern.compile(
            "(?ms)^([ \\t]*)(?:<domain\\b[^>]*/>|<domain\\b.*?^\\1</domain>)$");

    private EmbeddedDomain() {
    }

    /** The {@code <domain>} element of {@code checkpointXml}, ending with a newline; empty when there is none. */
    static Optional<String> of(String checkpointXml) {
        Matcher m = DOMAIN.matcher(checkpointXml);
        if (!m.find()) {
            return Optional.empty();
        }
        String indent = m.group(1);
        StringBuilder out = new StringBuilder();
        for (String line : m.group().split("\n", -1)) {
            out.append(line.startsWith(indent) ? line.substring(indent.length()) : line).append('\n');
        }
        return Optional.of(out.toString());
    }
}
