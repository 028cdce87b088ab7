// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
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
        Map<String, Parsed> before = ParsedFiles.get(dir);
        Map<String, Parsed> now = readEach(f -> parse(f, before.get(f.getFileName().toString())));
        ParsedFiles.put(dir, now);
        return byName(now.values().stream().map(Parsed::def));
    }

    /** Each {@code *.xml} file that {@code read} can read, by file name; none when the directory is missing. */
    private <T> Map<String, T> readEach(Function<Path, Optional<T>> read) {
        Map<String, T> byFile = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) {
            return byFile;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.xml")) {
            for (Path f : files) {
                read.apply(f).ifPresent(t -> byFile.put(f.getFileName().toString(), t));
            }
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.READ_FAILED, ErrorDomain.DOMAIN_CHECKPOINT,
                    "cannot list checkpoint metadata in '" + dir + "': " + e.getMessage(), e);
        }
        return byFile;
    }

    private static Map<String, CheckpointDef> byName(Stream<CheckpointDef> defs) {
        Map<String, CheckpointDef> all = new LinkedHashMap<>();
        defs.forEach(d -> all.put(d.name().orElseThrow(), d));
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
        return parseCached(f).map(Parsed::def).filter(def -> def.name().filter(name::equals).isPresent());
    }

    /** {@code f} as {@link #parse} reads it, with this JVM's {@link ParsedFiles} as the cache. */
    private Optional<Parsed> parseCached(Path f) {
        String file = f.getFileName().toString();
        Optional<Parsed> p = parse(f, ParsedFiles.get(dir, file).orElse(null));
        p.ifPresent(parsed -> ParsedFiles.update(dir, file, parsed));
        return p;
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

    /**
     * What listing and reconciling need of every readable checkpoint, by name: name, parent, creation time, and
     * each disk's type and bitmap (no description, no domain). The same checkpoints as {@link #loadAll}, read
     * from the {@link CheckpointIndex} where it matches the files and parsed where it does not; the index is
     * rewritten when it did not match.
     */
    public Map<String, CheckpointDef> summaries() {
        return snapshot().summaries();
    }

    /**
     * The summaries and their tree: this JVM's last reading while {@link CheckpointSnapshots} may trust it (the
     * directory and the index keep their stamps), else a new reading.
     */
    private CheckpointSnapshots.Snapshot snapshot() {
        long now = System.currentTimeMillis();
        Optional<CheckpointSnapshots.Stamps> stamps = CheckpointSnapshots.stamps(dir);
        Optional<CheckpointSnapshots.Snapshot> kept = stamps.flatMap(s -> CheckpointSnapshots.get(dir, s, now));
        if (kept.isPresent()) {
            return kept.get();
        }
        Map<String, CheckpointIndex.Entry> files = readEntries();
        Map<String, CheckpointDef> read = Collections.unmodifiableMap(
                byName(files.values().stream().map(CheckpointIndex.Entry::summary)));
        Map<String, CheckpointDef> own = new HashMap<>();
        files.forEach((file, e) -> {
            String name = e.summary().name().orElseThrow();
            if (file.equals(name + ".xml") && CheckpointNames.isValid(name)) {
                own.put(name, e.summary());
            }
        });
        CheckpointSnapshots.Snapshot snapshot = new CheckpointSnapshots.Snapshot(read, tree(read), own);
        stamps.ifPresent(s -> CheckpointSnapshots.put(dir, s, now, snapshot));
        return snapshot;
    }

    /** Every readable checkpoint file's entry, by file name; the index is rewritten when it did not match. */
    private Map<String, CheckpointIndex.Entry> readEntries() {
        Map<String, CheckpointIndex.Entry> indexed = CheckpointIndex.read(dir);
        Map<String, CheckpointIndex.Entry> now = readEach(f -> entry(f, indexed.get(f.getFileName().toString())));
        if (!now.equals(indexed)) {
            CheckpointIndex.write(dir, now);
        }
        return now;
    }

    /** The {@link #summaries summary} of the checkpoint of that name, as {@link #load} finds it. */
    public Optional<CheckpointDef> summary(String name) {
        // a listing's reading answers while it may be trusted: two stat calls instead of a file's own three
        Optional<CheckpointSnapshots.Snapshot> kept = CheckpointSnapshots.stamps(dir)
                .flatMap(s -> CheckpointSnapshots.get(dir, s, System.currentTimeMillis()));
        if (kept.isPresent()) {
            return Optional.ofNullable(kept.get().byOwnFile().get(name));
        }
        Path f = dir.resolve(name + ".xml");
        if (!CheckpointNames.isValid(name) || !Files.isRegularFile(f)) {
            return Optional.empty();
        }
        return entry(f, CheckpointIndex.read(dir).get(f.getFileName().toString())).map(CheckpointIndex.Entry::summary)
                .filter(def -> def.name().filter(name::equals).isPresent());
    }

    /** {@code indexed} while {@code f} has its stamp, else {@code f} parsed; empty when it cannot be read. */
    private Optional<CheckpointIndex.Entry> entry(Path f, CheckpointIndex.Entry indexed) {
        if (indexed != null) {
            try {
                if (indexed.stamp().equals(FileStamp.of(f))) {
                    return Optional.of(indexed);
                }
            } catch (IOException e) {
                return Optional.empty(); // gone since the listing
            }
        }
        return parseCached(f).map(parsed -> new CheckpointIndex.Entry(parsed.stamp(), CheckpointIndex.summaryOf(parsed.def())));
    }

    /** The tree of the stored checkpoints. */
    public CheckpointTree tree() {
        return snapshot().tree();
    }

    /** The tree of {@code checkpoints} (by name, as {@link #summaries} or {@link #loadAll} return them). */
    public static CheckpointTree tree(Map<String, CheckpointDef> checkpoints) {
        List<CheckpointNode> nodes = new ArrayList<>();
        checkpoints.forEach((name, def) -> nodes.add(new CheckpointNode(name, def.parent(),
                def.creationTime().orElse(0))));
        return CheckpointTree.of(nodes);
    }

    /** Writes (or replaces) a checkpoint's metadata durably, then its index entry. */
    public void save(CheckpointDef def) {
        save(def, true);
    }

    /**
     * Writes a checkpoint's metadata as {@link #save} does, without fsync (atomic for a process that dies, not
     * for the machine): for the checkpoint of a backup job, made durable by {@link #sync} when the job ends
     * keeping it. Until then a machine crash takes QEMU, the job and the new bitmap (QEMU writes a persistent
     * bitmap to the image only when it closes it) with it, and the end of that job discards the checkpoint.
     */
    public void saveUnsynced(CheckpointDef def) {
        save(def, false);
    }

    private void save(CheckpointDef def, boolean durable) {
        String name = def.name().orElseThrow(() -> new IllegalArgumentException("checkpoint without name"));
        StateDirectory.ensureDir(dir);
        Path f = dir.resolve(name + ".xml");
        String xml = CheckpointXml.format(def, true, false, false);
        if (durable) {
            AtomicFiles.write(f, xml);
        } else {
            AtomicFiles.replace(f, xml);
        }
        Optional<CheckpointIndex.Entry> entry;
        try {
            entry = Optional.of(new CheckpointIndex.Entry(FileStamp.of(f), CheckpointIndex.summaryOf(def)));
        } catch (IOException e) {
            entry = Optional.empty(); // replaced or removed meanwhile: the next listing parses it
        }
        CheckpointIndex.update(dir, f.getFileName().toString(), entry);
    }

    /** Deletes a checkpoint's metadata, then its index entry; absent is fine. */
    public void delete(String name) {
        Path f = dir.resolve(name + ".xml");
        AtomicFiles.delete(f);
        CheckpointIndex.update(dir, f.getFileName().toString(), Optional.empty());
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

    /** Makes {@code name} the current checkpoint without fsync, as {@link #saveUnsynced} saves it. */
    public void setCurrentUnsynced(String name) {
        StateDirectory.ensureDir(dir);
        AtomicFiles.replace(dir.resolve("current"), name + "\n");
    }

    /** Makes what {@link #saveUnsynced} and {@link #setCurrentUnsynced} wrote for {@code name} durable. */
    public void sync(String name) {
        if (Files.isDirectory(dir)) {
            AtomicFiles.sync(dir, dir.resolve(name + ".xml"), dir.resolve("current"));
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
            return Map.copyOf(BY_DIR.getOrDefault(dir.toAbsolutePath().normalize(), Map.of()));
        }

        static synchronized Optional<Parsed> get(Path dir, String file) {
            return Optional.ofNullable(BY_DIR.getOrDefault(dir.toAbsolutePath().normalize(), Map.of()).get(file));
        }

        static synchronized void put(Path dir, Map<String, Parsed> files) {
            BY_DIR.put(dir.toAbsolutePath().normalize(), new HashMap<>(files));
        }

        /** One file's entry; called once per checkpoint by a caller walking them all, so it copies nothing. */
        static synchronized void update(Path dir, String file, Parsed parsed) {
            BY_DIR.computeIfAbsent(dir.toAbsolutePath().normalize(), k -> new HashMap<>()).put(file, parsed);
        }
    }
}
