// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal;

import java.util.Locale;
import java.util.Optional;

/** libvirt's UUID reading ({@code virUUIDParse}): 32 hex digits, dashes and spaces anywhere between them. */
public final class Uuids {
    private Uuids() {
    }

    /** The UUID in libvirt's printed form (lowercase, 8-4-4-4-12), or empty when it is not one. */
    public static Optional<String> canonical(String text) {
        StringBuilder hex = new StringBuilder(32);
        String s = text.strip();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '-' || c == ' ') {
                continue;
            }
            if (Character.digit(c, 16) < 0 || hex.length() == 32) {
                return Optional.empty();
            }
            hex.append(Character.toLowerCase(c));
        }
        if (hex.length() != 32) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "%s-%s-%s-%s-%s", hex.substring(0, 8), hex.substring(8, 12),
                hex.substring(12, 16), hex.substring(16, 20), hex.substring(20)));
    }
}
