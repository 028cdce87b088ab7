// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
     *
     * <p>A file is parsed only when it changed since this JVM last parsed it (see {@link ParsedFiles}): the
     * directory is listed and every file's attributes are read each time, so a change by another process is
     * always seen.
     */
    public Map<String, CheckpointDef> loadAll() {
        Map<String, CheckpointDef> all = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) {
            return all;
        }
        Map<String, Parsed> before = ParsedFiles.get(dir);
        Map<String, Parsed> now = new HashMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.xml")) {
            for (Path f : files) {
                String file = f.getFileName().toString();
                parse(f, before.get(file)).ifPresent(p -> {
                    now.put(file, p);
                    all.put(p.def().name().orElseThrow(), p.def());
                });
            }
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.READ_FAILED, ErrorDomain.DOMAIN_CHECKPOINT,
                    "cannot list checkpoint metadata in '" + dir + "': " + e.getMessage(), e);
        }
        ParsedFiles.put(dir, now);
        return all;
    }

    /**
     * The checkpoint of that name, reading only its file (when it changed); empty when there is none or it is
     * unreadable (as {@link #loadAll} skips it).
     */
    public Optional<CheckpointDef> load(String name) {
        Path f = dir.resolve(name + ".xml");
        if (!CheckpointNames.isValid(name) || !Files.isRegularFile(f)) {
            return Optional.empty();
        }
        String file = f.getFileName().toString();
        Optional<Parsed> p = parse(f, ParsedFiles.get(dir).get(file));
        p.ifPresent(parsed -> ParsedFiles.update(dir, file, parsed));
        return p.map(Parsed::def).filter(def -> def.name().filter(name::equals).isPresent());
    }

    /**
     * {@code cached} when {@code f} still has the stamp it had when it was parsed, else {@code f} parsed now;
     * empty (with a warning) when it cannot be read or parsed. The stamp is read before the content: a file
     * replaced in between is parsed again next time, never kept stale.
     */
    private static Optional<Parsed> parse(Path f, Parsed cached) {
        try {
            FileStamp stamp = FileStamp.of(f);
            if (cached != null && cached.stamp().equals(stamp)) {
                return Optional.of(cached);
            }
            CheckpointDef def = CheckpointXml.parseRedefine(Files.readString(f));
            def.name().orElseThrow(() -> new IllegalArgumentException("checkpoint without name"));
            return Optional.of(new Parsed(stamp, def));
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

    /**
     * What identifies one version of a file: its inode ({@code fileKey}), size and modification time.
     * {@link AtomicFiles#write} renames a new file over the old one, so every write, from any process, gives a
     * new inode; size and time also catch an edit in place.
     */
    record FileStamp(Object fileKey, long size, long modifiedNanos) {
        static FileStamp of(Path f) throws IOException {
            BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                throw new IOException("not a regular file");
            }
            return new FileStamp(a.fileKey(), a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS));
        }
    }

    /** A parsed file and the version it was parsed from. */
    record Parsed(FileStamp stamp, CheckpointDef def) {
    }

    /**
     * The checkpoint files this JVM has parsed, per store directory (the 64 most recently used): only a hint,
     * every entry is checked against the file's current {@link FileStamp} before it is used.
     */
    static final class ParsedFiles {
        private static final int DIRECTORIES = 64;
        private static final Map<Path, Map<String, Parsed>> BY_DIR = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Path, Map<String, Parsed>> eldest) {
                return size() > DIRECTORIES;
            }
        };

        private ParsedFiles() {
        }

        static synchronized Map<String, Parsed> get(Path dir) {
            return BY_DIR.getOrDefault(dir.toAbsolutePath().normalize(), Map.of());
        }

        static synchronized void put(Path dir, Map<String, Parsed> files) {
            BY_DIR.put(dir.toAbsolutePath().normalize(), Map.copyOf(files));
        }

        static synchronized void update(Path dir, String file, Parsed parsed) {
            Map<String, Parsed> m = new HashMap<>(get(dir));
            m.put(file, parsed);
            put(dir, m);
        }
    }
}
