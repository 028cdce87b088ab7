// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml;

import java.util.Objects;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.xml.internal.jaxb.BackupCodec;
import org.virtbackup.xml.model.BackupDef;

/**
 * {@code <domainbackup>} text to {@link BackupDef} and back (libvirt-backup-reference.md §1).
 *
 * @since 0.1
 */
public final class BackupXml {
    private BackupXml() {
    }

    /**
     * Parses the public form, as {@code virDomainBackupBegin} receives it: validated against virtbackup's
     * backup schema, then read with libvirt's rules ({@code mode} default push, {@code backup} default yes,
     * {@code type} default file, empty {@code <incremental>} means none). {@code state}, {@code index} and
     * {@code <privateData>} are not part of this form. Defaults that need the domain are filled by
     * {@link BackupAligner}.
     *
     * @throws VirtBackupException XML_DETAIL (not well-formed), XML_ERROR (refused, missing disk name, bad socket
     *     path, ...), XML_INVALID_SCHEMA (schema violation), CONFIG_UNSUPPORTED (unknown mode, rdma transport,
     *     server in push mode), INVALID_ARG (bad port, unknown or non-qcow2 pull driver)
     */
    public static BackupDef parse(String xml) {
        return BackupCodec.parse(Objects.requireNonNull(xml, "xml"), false);
    }

    /**
     * Parses the internal (status) form virtbackup persists for a running job: no schema, per-disk
     * {@code state} required, {@code index} and {@code <privateData>} kept (libvirt's
     * {@code VIR_DOMAIN_BACKUP_PARSE_INTERNAL}, §5.3).
     *
     * @throws VirtBackupException as {@link #parse}, and INTERNAL_ERROR when a selected disk lacks a valid state
     */
    public static BackupDef parseInternal(String xml) {
        return BackupCodec.parse(Objects.requireNonNull(xml, "xml"), true);
    }

    /**
     * Formats the public form, as {@code virDomainBackupGetXMLDesc} prints it: always {@code mode}, then
     * incremental, server and disks; {@code index} when set; never {@code state} or private data.
     */
    public static String format(BackupDef def) {
        return BackupCodec.format(Objects.requireNonNull(def, "def"), false);
    }

    /** Formats the internal form: the public form plus {@code state} and the private data. */
    public static String formatInternal(BackupDef def) {
        return BackupCodec.format(Objects.requireNonNull(def, "def"), true);
    }
}
