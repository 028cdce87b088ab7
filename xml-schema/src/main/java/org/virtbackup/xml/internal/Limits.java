// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal;

import java.util.Objects;
import java.util.Optional;

/**
 * What a hardened parse accepts.
 *
 * @param root the required root element name
 * @param maxDepth deepest element nesting allowed outside {@code deepChild}
 * @param deepChild a child of the root whose subtree may nest deeper (the embedded {@code <domain>})
 * @param maxDeepDepth deepest nesting allowed inside {@code deepChild}
 */
public record Limits(String root, int maxDepth, Optional<String> deepChild, int maxDeepDepth) {
    /** libvirt's file loader refuses files above 1 MiB ({@code virFileReadAll}); so do we, for any input. */
    public static final int MAX_CHARS = 1024 * 1024;
    /** Enough for any backup or checkpoint (they nest 5 levels) with a wide margin. */
    public static final int SHALLOW = 64;
    /** A domain nests one level per backing-chain layer; 256 leaves room for long chains. */
    public static final int DEEP = 256;

    public Limits {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(deepChild, "deepChild");
    }

    /** Limits for a backup document. */
    public static Limits backup() {
        return new Limits("domainbackup", SHALLOW, Optional.empty(), SHALLOW);
    }

    /** Limits for a checkpoint document: its embedded domain may nest deeper. */
    public static Limits checkpoint() {
        return new Limits("domaincheckpoint", SHALLOW, Optional.of("domain"), DEEP);
    }

    /** Limits for a domain document. */
    public static Limits domain() {
        return new Limits("domain", DEEP, Optional.empty(), DEEP);
    }
}
