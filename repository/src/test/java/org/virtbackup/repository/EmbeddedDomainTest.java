// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EmbeddedDomainTest {
    @Test
    void theDomainOfACheckpointIsTakenWholeAndUnindented() {
        String cp = "<domaincheckpoint>\n  <name>c1</name>\n  <domain type='kvm'>\n    <name>vm1</name>\n"
                + "    <devices>\n      <disk type='file' device='disk'>\n        <driver name='qemu' type='qcow2'/>\n"
                + "      </disk>\n    </devices>\n  </domain>\n</domaincheckpoint>\n";
        assertThat(EmbeddedDomain.of(cp)).contains("<domain type='kvm'>\n  <name>vm1</name>\n  <devices>\n"
                + "    <disk type='file' device='disk'>\n      <driver name='qemu' type='qcow2'/>\n    </disk>\n"
                + "  </devices>\n</domain>\n");
    }

    @Test
    void aCheckpointWithoutADomainHasNone() {
        assertThat(EmbeddedDomain.of("<domaincheckpoint>\n  <name>c1</name>\n</domaincheckpoint>\n")).isEmpty();
        assertThat(EmbeddedDomain.of("<domaincheckpoint>\n  <domain/>\n</domaincheckpoint>\n")).contains("<domain/>\n");
    }
}
