// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.virtbackup.api.CheckpointDeleteFlag;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.CheckpointXmlFlag;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/** A libvirt checkpoint ({@code virDomainCheckpointPtr}); every call goes to libvirt. */
final class LibvirtCheckpoint implements DomainCheckpoint {
    private final LibvirtDomain domain;
    private final org.libvirt.DomainCheckpoint cp;
    private final String name;

    LibvirtCheckpoint(LibvirtDomain domain, org.libvirt.DomainCheckpoint cp) {
        this.domain = domain;
        this.cp = cp;
        this.name = LibvirtErrors.call(cp::getName);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Instant creationTime() {
        String xml = getXmlDesc(Set.of(CheckpointXmlFlag.NO_DOMAIN));
        return XmlFields.childText(xml, "creationTime").map(s -> Instant.ofEpochSecond(Long.parseLong(s)))
                .orElseThrow(() -> new VirtBackupException(ErrorCode.INTERNAL_ERROR, ErrorDomain.DOMAIN_CHECKPOINT,
                        "libvirt's XML of checkpoint '" + name + "' has no creationTime"));
    }

    @Override
    public Domain domain() {
        return domain;
    }

    @Override
    public String getXmlDesc(Set<CheckpointXmlFlag> flags) {
        int bits = Flags.bits(flags, CheckpointXmlFlag::bit);
        return LibvirtErrors.call(() -> cp.getXMLDesc(bits));
    }

    @Override
    public Optional<DomainCheckpoint> getParent() {
        org.libvirt.DomainCheckpoint parent = LibvirtErrors.call(cp::getParent);
        if (parent != null) {
            return Optional.of(new LibvirtCheckpoint(domain, parent));
        }
        // libvirt-java returns null instead of raising; libvirt reports a root's missing parent as
        // NO_DOMAIN_CHECKPOINT, which the API says is empty
        VirtBackupException e = LibvirtErrors.lastError(new VirtBackupException(ErrorCode.INTERNAL_ERROR,
                ErrorDomain.DOMAIN_CHECKPOINT, "libvirt gave no parent of checkpoint '" + name + "' and no error"));
        if (e.code() == ErrorCode.NO_DOMAIN_CHECKPOINT) {
            return Optional.empty();
        }
        throw e;
    }

    @Override
    public List<DomainCheckpoint> listAllChildren(Set<CheckpointListFlag> flags) {
        Objects.requireNonNull(flags, "flags");
        int bits = Flags.bits(flags, CheckpointListFlag::bit);
        return wrap(domain, LibvirtErrors.call(() -> cp.listAllChildren(bits)));
    }

    /**
     * libvirt has no "current checkpoint" call: its QEMU driver makes the newest checkpoint the parent of the next,
     * which is the one leaf of a chain created by backups and {@code checkpointCreateXml} (libvirt-backup-reference.md
     * §5). This says whether this checkpoint is that single leaf.
     */
    @Override
    public boolean isCurrent() {
        List<DomainCheckpoint> leaves = domain.listAllCheckpoints(Set.of(CheckpointListFlag.LEAVES));
        return leaves.size() == 1 && leaves.get(0).name().equals(name);
    }

    @Override
    public void delete(Set<CheckpointDeleteFlag> flags) {
        int bits = Flags.bits(flags, CheckpointDeleteFlag::bit);
        LibvirtErrors.call(() -> cp.delete(bits));
    }

    static List<DomainCheckpoint> wrap(LibvirtDomain domain, org.libvirt.DomainCheckpoint[] cps) {
        return Arrays.stream(cps).map(c -> (DomainCheckpoint) new LibvirtCheckpoint(domain, c)).toList();
    }

    @Override
    public String toString() {
        return "LibvirtCheckpoint[" + domain.name() + "/" + name + "]";
    }
}
