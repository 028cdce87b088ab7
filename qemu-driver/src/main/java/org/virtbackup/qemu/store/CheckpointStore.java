// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.xml.CheckpointNames;
import org.virtbackup.xml.CheckpointXml;
import org.virtbackup.xml.model.CheckpointDef;

/**
 * Checkpoint metadata on disk: {@code <state>/<domain>/checkpoints/<name>.xml}, the secure checkpoint XML with
 * its {@code <domain>} (as libvirt keeps it, libvirt-backup-reference.md §5.1), plus a {@code current} file
 * naming the current checkpoint (libvirt keeps that in memory only; a CLI that runs one process per verb
 * needs it on disk). Callers hold the {@link DomainLock} while they change anything.
 */
public final class CheckpointStore {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);

    private final Path dir;

    /** @param domainDir the domain's state directory */
    public CheckpointStore(Path domainDir) {
        this.dir = domainDir.resolve("checkpoints");
    }

    /**
     * Every readable checkpoint, by name. An unreadable file is skipped with a warning, as libvirt does when
     * it loads metadata ("one malformed config doesn't kill the whole process").
     */
    public Map<String, CheckpointDef> loadAll() {
        Map<String, CheckpointDef> all = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) {
            return all;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.xml")) {
            for (Path f : files) {
                try {
                    CheckpointDef def = CheckpointXml.parseRedefine(Files.readString(f));
                    all.put(def.name().orElseThrow(), def);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("ignoring unreadable checkpoint metadata '{}': {}", f, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.READ_FAILED, ErrorDomain.DOMAIN_CHECKPOINT,
                    "cannot list checkpoint metadata in '" + dir + "': " + e.getMessage(), e);
        }
        return all;
    }

    /**
     * The checkpoint of that name, reading only its file; empty when there is none or it is unreadable (as
     * {@link #loadAll} skips it).
     */
    public Optional<CheckpointDef> load(String name) {
        Path f = dir.resolve(name + ".xml");
        if (!CheckpointNames.isValid(name) || !Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(CheckpointXml.parseRedefine(Files.readString(f)))
                    .filter(def -> def.name().filter(name::equals).isPresent());
        } catch (IOException | RuntimeException e) {
            LOG.warn("ignoring unreadable checkpoint metadata '{}': {}", f, e.getMessage());
            return Optional.empty();
        }
    }

    /** The tree of the stored checkpoints. */
    public CheckpointTree tree() {
        List<CheckpointNode> nodes = new ArrayList<>();
        loadAll().forEach((name, def) -> nodes.add(new CheckpointNode(name, def.parent(),
                def.creationTime().orElse(0))));
        return CheckpointTree.of(nodes);
    }

    /** Writes (or replaces) a checkpoint's metadata. */
    public void save(CheckpointDef def) {
        String name = def.name().orElseThrow(() -> new IllegalArgumentException("checkpoint without name"));
        StateDirectory.ensureDir(dir);
        AtomicFiles.write(dir.resolve(name + ".xml"), CheckpointXml.format(def, true, false, false));
    }

    /** Deletes a checkpoint's metadata; absent is fine. */
    public void delete(String name) {
        AtomicFiles.delete(dir.resolve(name + ".xml"));
    }

    /** The current checkpoint, if it still exists. */
    public Optional<String> current() {
        return AtomicFiles.read(dir.resolve("current")).map(String::strip).filter(n -> !n.isEmpty())
                .filter(n -> Files.exists(dir.resolve(n + ".xml")));
    }

    /** Sets or clears the current checkpoint. */
    public void setCurrent(Optional<String> name) {
        if (name.isEmpty()) {
            AtomicFiles.delete(dir.resolve("current"));
            return;
        }
        StateDirectory.ensureDir(dir);
        AtomicFiles.write(dir.resolve("current"), name.get() + "\n");
    }
}
