// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;

/** libvirt's numbers (virterror.h) map onto the API's codes and domains of the same number. */
class LibvirtErrorsTest {

    @Test
    void everyApiCodeAndDomainHasLibvirtsNumberInLibvirtJava() {
        // libvirt-java numbers its enums in virterror.h's order: its ordinal is libvirt's number
        for (ErrorCode c : ErrorCode.values()) {
            org.libvirt.Error.ErrorNumber n = org.libvirt.Error.ErrorNumber.values()[c.number()];
            assertThat(n.name()).as(c.name()).isEqualTo("VIR_ERR_" + c.name());
            assertThat(LibvirtErrors.code(c.number())).isEqualTo(c);
        }
        for (ErrorDomain d : ErrorDomain.values()) {
            org.libvirt.Error.ErrorDomain n = org.libvirt.Error.ErrorDomain.values()[d.number()];
            assertThat(n.name()).as(d.name()).isEqualTo("VIR_FROM_" + d.name());
            assertThat(LibvirtErrors.domain(d.number())).isEqualTo(d);
        }
    }

    @Test
    void numbersWithoutAnApiNameFallBack() {
        assertThat(LibvirtErrors.code(2)).isEqualTo(ErrorCode.INTERNAL_ERROR); // VIR_ERR_NO_MEMORY
        assertThat(LibvirtErrors.domain(12)).isEqualTo(ErrorDomain.NONE); // VIR_FROM_TEST
    }

    @Test
    void noSupportNamesTheDriverThatHasIt() {
        assertThat(LibvirtErrors.noSupport("x").getMessage()).contains("qmp+unix").startsWith("x is not supported");
        assertThat(LibvirtErrors.noSupport("x").code()).isEqualTo(ErrorCode.NO_SUPPORT);
    }
}
