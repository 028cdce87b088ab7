// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.model;

import java.util.Objects;
import java.util.Optional;

/**
 * A per-image security label override, {@code <seclabel model relabel labelskip><label/></seclabel>}
 * (libvirt's {@code devSeclabel}).
 *
 * @param model security driver, e.g. {@code dac} or {@code selinux}
 * @param relabel whether libvirt relabels the image (default true)
 * @param labelskip output-only marker that labelling was skipped
 * @param label the label to use (only when relabelling)
 */
public record SeclabelDef(Optional<String> model, boolean relabel, boolean labelskip, Optional<String> label) {
    public SeclabelDef {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(label, "label");
    }
}
