// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.fuzz;

import java.util.Random;

/** Hostile and boundary values for attributes and text, and how to put them into a document. */
final class Values {
    private static final String[] SPECIAL = {
        "", " ", "0", "-1", "1", "65535", "65536", "10809", "4294967296", "9223372036854775807",
        "9223372036854775808", "-9223372036854775809", "1e9", "0x1f", "007", "+1", "NaN", "yes", "no", "on", "off",
        "true", "push", "pull", "full", "incremental", "bitmap", "none", "begin", "running", "complete", "failed",
        "cancelling", "cancelled", "qcow2", "raw", "vmdk", "file", "block", "network", "dir", "volume", "tcp",
        "unix", "rdma", "fd", "/", "/tmp/x.qcow2", "relative.qcow2", "../../../etc/passwd", "/dev/null",
        "/proc/self/environ", "vda", "vdb", "sda", "hdc", "vdz", "vda ", " vda", "VDA", "vd\u00e4", "localhost",
        "::1", "[::1]", "300.1.1.1", "127.0.0.1", "a/b", ".", "..", ".hidden", "name with space", "1525889631",
        "\u202Eevil", "\uFEFF", "\uD83D\uDE00", "\u00e9\u00e8", "\u4e2d\u6587", "\u0000", "\u0001", "\u001f", "\u007f",
        "\uD800", "\uFFFE", "&amp;", "&lt;", "&#0;", "&#x1F600;", "&#xD800;", "&undefined;", "&", "<", ">",
        "\"", "'", "]]>", "\n", "\t\r\n", "%p;", "${user.home}", "%s%s%s%n", "\\", "*", "?",
    };

    private Values() {
    }

    /** A random interesting value; sometimes huge, sometimes random code points. */
    static String any(Random r) {
        int kind = r.nextInt(20);
        if (kind == 0) {
            int[] sizes = {256, 4097, 65_536, 300_000, 1_100_000};
            return "x".repeat(sizes[r.nextInt(sizes.length)]);
        }
        if (kind <= 2) {
            return randomText(r, r.nextInt(40));
        }
        if (kind == 3) {
            return Long.toString(r.nextLong());
        }
        return SPECIAL[r.nextInt(SPECIAL.length)];
    }

    /** Random code points, including controls, surrogates and non-BMP characters. */
    static String randomText(Random r, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int band = r.nextInt(6);
            if (band == 0) {
                b.append((char) r.nextInt(0x20));
            } else if (band == 1) {
                b.append((char) r.nextInt(0x10000));
            } else if (band == 2) {
                b.appendCodePoint(0x10000 + r.nextInt(0x100000));
            } else {
                b.append((char) (0x20 + r.nextInt(0x5f)));
            }
        }
        return b.toString();
    }

    /**
     * {@code value} as a quoted attribute value: usually escaped so the document stays well-formed, sometimes
     * raw so it breaks.
     */
    static String quote(String value, Random r) {
        if (r.nextInt(6) == 0) {
            return "'" + value + "'";
        }
        return "'" + escape(value) + "'";
    }

    /** {@code value} as element content: escaped, raw, or in a CDATA section. */
    static String text(String value, Random r) {
        int k = r.nextInt(6);
        if (k == 0) {
            return value;
        }
        if (k == 1) {
            return "<![CDATA[" + value + "]]>";
        }
        return escape(value);
    }

    private static String escape(String value) {
        if (value.startsWith("&") && value.endsWith(";")) {
            return value; // an entity or character reference is meant to reach the parser as such
        }
        return value.replace("&", "&amp;").replace("<", "&lt;").replace("'", "&apos;");
    }

    /** A short printable description for case logs. */
    static String describe(String value) {
        StringBuilder b = new StringBuilder("'");
        int n = Math.min(value.length(), 40);
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (value.length() > n) {
            b.append("...(").append(value.length()).append(" chars)");
        }
        return b.append('\'').toString();
    }
}
