// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml;

/**
 * The XML dialects virtbackup reads.
 *
 * @since 0.1
 */
public enum XmlKind {
    /** {@code <domainbackup>}. */
    BACKUP,
    /** {@code <domaincheckpoint>}. */
    CHECKPOINT,
    /** {@code <domain>}, of which only name, uuid and disks are read. */
    DOMAIN
}
