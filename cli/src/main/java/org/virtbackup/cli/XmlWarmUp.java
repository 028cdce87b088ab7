// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import java.util.List;
import org.virtbackup.xml.BackupXml;
import org.virtbackup.xml.CheckpointXml;

/**
 * Readies the XML code on a background thread while the verb's main thread opens its connection. In a fresh
 * process both are cold: the first parse builds JAXB's context and compiles the RELAX NG schema (together about
 * 0.15 s of class loading and interpreted code here), and the connection spends as long in its own cold code
 * and waiting for QEMU. On two cores they overlap. The warm-up parses (and formats) a minimal document the way
 * the verb will; the verb's own parse then finds JAXB and the schema ready, or waits for the one being made
 * (each is made once, thread-safely). A warm-up changes nothing the verb does or prints.
 */
final class XmlWarmUp {

    /** What a verb will parse. */
    enum Parse {
        /** A new backup's XML: validated, read, and written in the internal form of the job record. */
        BACKUP {
            @Override
            void once() {
                BackupXml.formatInternal(BackupXml.parse("<domainbackup/>"));
            }
        },
        /** The running job's record: its internal form, read without the schema. */
        JOB {
            @Override
            void once() {
                BackupXml.parseInternal("<domainbackup/>");
            }
        },
        /** A new checkpoint's XML: validated, read and written. */
        CHECKPOINT {
            @Override
            void once() {
                CheckpointXml.format(CheckpointXml.parse("<domaincheckpoint/>"), false, true, false);
            }
        };

        /** Parses a minimal document as the verb will. */
        abstract void once();
    }

    private XmlWarmUp() {
    }

    /** Starts the warm-up of {@code parses}, in order. */
    static void start(List<Parse> parses) {
        Thread t = new Thread(() -> {
            try {
                parses.forEach(Parse::once);
            } catch (RuntimeException e) {
                // only a warm-up: the verb's own parse reports what is wrong
            }
        }, "xml-warm-up");
        t.setDaemon(true);
        t.start();
    }
}
