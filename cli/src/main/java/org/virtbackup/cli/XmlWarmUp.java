// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import java.util.List;
import org.virtbackup.xml.BackupXml;
import org.virtbackup.xml.CheckpointXml;
import org.virtbackup.xml.XmlKind;

/**
 * Readies the XML code on a background thread while the verb's main thread opens its connection. In a fresh
 * process both are cold: the first parse builds JAXB's context and compiles the RELAX NG schema (together about
 * 0.15 s of class loading and interpreted code here), and the connection spends as long in its own cold code
 * and waiting for QEMU. On two cores they overlap. The warm-up parses and formats a minimal document of each kind
 * the verb will read; the verb's own parse then finds JAXB and the schema ready, or waits for the one being made
 * (each is made once, thread-safely). A warm-up that fails changes nothing: the verb's parse reports errors.
 */
final class XmlWarmUp {

    private XmlWarmUp() {
    }

    /** Starts the warm-up of the parsers of {@code kinds} (backups and checkpoints). */
    static void start(XmlKind... kinds) {
        Thread t = new Thread(() -> {
            try {
                for (XmlKind kind : List.of(kinds)) {
                    if (kind == XmlKind.BACKUP) {
                        BackupXml.formatInternal(BackupXml.parse("<domainbackup/>"));
                    } else if (kind == XmlKind.CHECKPOINT) {
                        CheckpointXml.format(CheckpointXml.parse("<domaincheckpoint/>"), false, true, false);
                    }
                }
            } catch (RuntimeException e) {
                // only a warm-up: the verb's own parse reports what is wrong
            }
        }, "xml-warm-up");
        t.setDaemon(true);
        t.start();
    }
}
