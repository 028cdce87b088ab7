// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.time.Instant;
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
import org.virtbackup.qemu.store.CheckpointStore;
import org.virtbackup.xml.CheckpointXml;
import org.virtbackup.xml.model.CheckpointDef;

/** A checkpoint handle; every call reads the current metadata, so handles never go stale. */
final class QemuCheckpoint implements DomainCheckpoint {

    private final QemuDomain domain;
    private final String name;

    QemuCheckpoint(QemuDomain domain, String name) {
        this.domain = domain;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Domain domain() {
        return domain;
    }

    @Override
    public Instant creationTime() {
        return Instant.ofEpochSecond(summary().creationTime().orElse(0));
    }

    private CheckpointDef def() {
        return load(domain.context(), name);
    }

    /** Name, parent, creation time and disks only, from the store's index (no XML parse when it matches). */
    private CheckpointDef summary() {
        return existing(domain.context().checkpoints().summary(name), name);
    }

    /** The stored checkpoint of that name. */
    static CheckpointDef load(DomainContext ctx, String name) {
        return existing(ctx.checkpoints().load(name), name);
    }

    private static CheckpointDef existing(Optional<CheckpointDef> def, String name) {
        return def.orElseThrow(() -> new VirtBackupException(ErrorCode.NO_DOMAIN_CHECKPOINT,
                ErrorDomain.QEMU, "no domain checkpoint with matching name '" + name + "'"));
    }

    @Override
    public String getXmlDesc(Set<CheckpointXmlFlag> flags) {
        Objects.requireNonNull(flags, "flags");
        boolean size = flags.contains(CheckpointXmlFlag.SIZE);
        CheckpointDef def = size ? domain.operation(() -> {
            def();
            domain.requireRunning();
            return new CheckpointSizer(domain.context()).withSizes(name);
        }) : def();
        return CheckpointXml.format(def, flags.contains(CheckpointXmlFlag.SECURE),
                flags.contains(CheckpointXmlFlag.NO_DOMAIN), size);
    }

    @Override
    public Optional<DomainCheckpoint> getParent() {
        CheckpointStore store = domain.context().checkpoints();
        // as the tree's parentOf: a parent whose metadata is missing or unreadable is no parent
        return summary().parent().filter(p -> store.summary(p).isPresent()).map(p -> new QemuCheckpoint(domain, p));
    }

    @Override
    public List<DomainCheckpoint> listAllChildren(Set<CheckpointListFlag> flags) {
        return domain.context().checkpoints().tree().listChildren(name, flags).stream()
                .map(n -> (DomainCheckpoint) new QemuCheckpoint(domain, n)).toList();
    }

    @Override
    public boolean isCurrent() {
        return domain.context().checkpoints().current().filter(name::equals).isPresent();
    }

    @Override
    public void delete(Set<CheckpointDeleteFlag> flags) {
        Objects.requireNonNull(flags, "flags");
        domain.operation(() -> {
            if (!flags.contains(CheckpointDeleteFlag.METADATA_ONLY)) {
                def();
                domain.requireRunning(ErrorCode.OPERATION_UNSUPPORTED, ErrorDomain.QEMU,
                        "cannot delete checkpoint for inactive domain");
            }
            domain.settle();
            new CheckpointService(domain.context()).delete(name, flags);
        });
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QemuCheckpoint c && c.name.equals(name) && c.domain.name().equals(domain.name());
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return "checkpoint '" + name + "' of domain '" + domain.name() + "'";
    }
}
