// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt;

import java.util.Objects;
import java.util.Set;
import java.util.function.ToIntFunction;

/** The API's flag sets as libvirt's bit masks (each flag enum carries libvirt's bit value). */
final class Flags {

    private Flags() {
    }

    static <F> int bits(Set<F> flags, ToIntFunction<F> bit) {
        Objects.requireNonNull(flags, "flags");
        int bits = 0;
        for (F f : flags) {
            bits |= bit.applyAsInt(Objects.requireNonNull(f, "flag"));
        }
        return bits;
    }
}
