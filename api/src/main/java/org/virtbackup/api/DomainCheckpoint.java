// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.api;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A checkpoint of a domain: one persistent dirty bitmap per disk plus its metadata.
 *
 * @since 0.1
 */
public interface DomainCheckpoint {

    /** The checkpoint's name, which is also its bitmaps' name unless a redefinition named others. */
    String name();

    /**
     * When the checkpoint was created (its XML's {@code <creationTime>}, in whole seconds). Beyond libvirt,
     * which has it only in the XML: retention policies need it without parsing.
     *
     * @throws VirtBackupException {@link ErrorCode#NO_DOMAIN_CHECKPOINT} when it no longer exists
     */
    java.time.Instant creationTime();

    /** The domain this checkpoint belongs to. */
    Domain domain();

    /**
     * The checkpoint as libvirt's {@code <domaincheckpoint>} XML.
     *
     * @param flags {@link CheckpointXmlFlag#SECURE}, {@link CheckpointXmlFlag#NO_DOMAIN},
     *     {@link CheckpointXmlFlag#SIZE}
     * @return the XML, ending with a newline
     */
    String getXmlDesc(Set<CheckpointXmlFlag> flags);

    /**
     * The parent checkpoint.
     *
     * @return the parent, empty for a root
     */
    Optional<DomainCheckpoint> getParent();

    /**
     * The children of this checkpoint.
     *
     * @param flags {@link CheckpointListFlag#DESCENDANTS}, {@link CheckpointListFlag#TOPOLOGICAL},
     *     {@link CheckpointListFlag#LEAVES}, {@link CheckpointListFlag#NO_LEAVES}
     * @return an unmodifiable list
     */
    List<DomainCheckpoint> listAllChildren(Set<CheckpointListFlag> flags);

    /** Whether this is the domain's current checkpoint (the parent of the next one). */
    boolean isCurrent();

    /**
     * Deletes this checkpoint's bitmaps from every layer of every disk, then its metadata.
     *
     * @param flags {@link CheckpointDeleteFlag#CHILDREN}, {@link CheckpointDeleteFlag#CHILDREN_ONLY},
     *     {@link CheckpointDeleteFlag#METADATA_ONLY}
     * @throws VirtBackupException {@link ErrorCode#OPERATION_INVALID} while a backup uses it
     */
    void delete(Set<CheckpointDeleteFlag> flags);
}
