// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.virtbackup.xml.CheckpointXml;
import org.virtbackup.xml.model.CheckpointDef;

/** The defects {@link XmlFuzzTest} found, one test each, named after what was fixed. */
class XmlFuzzRegressionTest {
    /**
     * Seed 11, case 733: a redefined checkpoint with creationTime 0 was formatted without creationTime (as
     * libvirt does for 0), so the checkpoint store's own file failed to parse again with INTERNAL_ERROR
     * "missing creationTime from existing checkpoint".
     */
    @Test
    void redefinedCheckpointWithCreationTimeZeroSurvivesFormatAndReparse() {
        String xml = "<domaincheckpoint><name>c0</name><creationTime>0</creationTime>"
                + "<disks><disk name='vda' checkpoint='bitmap' bitmap='c0'/></disks></domaincheckpoint>";
        CheckpointDef def = CheckpointXml.parseRedefine(xml);
        String formatted = CheckpointXml.format(def, true, false, false);

        assertThat(formatted).contains("<creationTime>0</creationTime>");
        CheckpointDef again = CheckpointXml.parseRedefine(formatted);
        assertThat(again.creationTime()).hasValue(0L);
        assertThat(CheckpointXml.format(again, true, false, false)).isEqualTo(formatted);
    }
}
