// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.model;

import java.util.Optional;

/**
 * Per-disk job state, present only in the internal (status) form ({@code virDomainBackupDiskState}).
 */
public enum BackupDiskState {
    /** The block job runs. */
    RUNNING("running"),
    /** The block job completed. */
    COMPLETE("complete"),
    /** The block job failed. */
    FAILED("failed"),
    /** Cancellation was requested. */
    CANCELLING("cancelling"),
    /** The block job was cancelled. */
    CANCELLED("cancelled");

    private final String xmlValue;

    BackupDiskState(String xmlValue) {
        this.xmlValue = xmlValue;
    }

    /** The attribute value as libvirt spells it. */
    public String xmlValue() {
        return xmlValue;
    }

    /** The constant for an attribute value, if it is one. */
    public static Optional<BackupDiskState> fromXml(String value) {
        for (BackupDiskState v : values()) {
            if (v.xmlValue.equals(value)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
