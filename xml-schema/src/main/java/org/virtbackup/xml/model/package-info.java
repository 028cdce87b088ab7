// SPDX-License-Identifier: Apache-2.0
/**
 * Immutable value types for libvirt's {@code <domainbackup>}, {@code <domaincheckpoint>} and the
 * {@code <domain>} subset virtbackup reads.
 *
 * <p>Layer: xml model, the bottom of the {@code xml-schema} module. Depends only on {@code org.virtbackup.api}
 * (for {@link org.virtbackup.api.BackupMode}). Unset values are {@link java.util.Optional} (never null), lists
 * are unmodifiable, and every record validates its components in its compact constructor. The records know
 * no XML syntax: parsing and formatting live in {@code org.virtbackup.xml}.
 */
package org.virtbackup.xml.model;
