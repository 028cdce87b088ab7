// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each warm-up parses its minimal document through to the end: one that failed early would warm up little. */
class XmlWarmUpTest {

    @ParameterizedTest
    @EnumSource(XmlWarmUp.Parse.class)
    void eachWarmUpParsesItsDocumentWithoutError(XmlWarmUp.Parse parse) {
        assertThatCode(parse::once).doesNotThrowAnyException();
    }
}
