// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal;

import java.util.Objects;
import java.util.Optional;
import org.virtbackup.api.ErrorDomain;

/**
 * What a hardened parse accepts.
 *
 * @param root the required root element name
 * @param maxDepth deepest element nesting allowed outside {@code deepChild}
 * @param deepChild a child of the root whose subtree may nest deeper (the embedded {@code <domain>})
 * @param maxDeepDepth deepest nesting allowed inside {@code deepChild}
 * @param parserDomain the error domain libvirt's parser of this kind reports a document that is not well-formed
 *     from (its {@code VIR_FROM_THIS}: backup_conf.c and domain_conf.c {@code DOMAIN}, checkpoint_conf.c
 *     {@code DOMAIN_CHECKPOINT}; ConformanceTest compares them with libvirt's)
 */
public record Limits(String root, int maxDepth, Optional<String> deepChild, int maxDeepDepth,
                     ErrorDomain parserDomain) {
    /** libvirt's file loader refuses files above 1 MiB ({@code virFileReadAll}); so do we, for any input. */
    public static final int MAX_CHARS = 1024 * 1024;
    /** Enough for any backup or checkpoint (they nest 5 levels) with a wide margin. */
    public static final int SHALLOW = 64;
    /** A domain nests one level per backing-chain layer; 256 leaves room for long chains. */
    public static final int DEEP = 256;

    public Limits {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(deepChild, "deepChild");
        Objects.requireNonNull(parserDomain, "parserDomain");
    }

    /** Limits for a backup document. */
    public static Limits backup() {
        return new Limits("domainbackup", SHALLOW, Optional.empty(), SHALLOW, ErrorDomain.DOMAIN);
    }

    /** Limits for a checkpoint document: its embedded domain may nest deeper. */
    public static Limits checkpoint() {
        return new Limits("domaincheckpoint", SHALLOW, Optional.of("domain"), DEEP, ErrorDomain.DOMAIN_CHECKPOINT);
    }

    /** Limits for a domain document. */
    public static Limits domain() {
        return new Limits("domain", DEEP, Optional.empty(), DEEP, ErrorDomain.DOMAIN);
    }
}
