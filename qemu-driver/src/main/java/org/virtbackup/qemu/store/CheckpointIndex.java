// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtbackup.xml.model.CheckpointDef;
import org.virtbackup.xml.model.CheckpointDiskDef;
import org.virtbackup.xml.model.CheckpointType;

/**
 * {@code checkpoints/index}: what listing and reconciling need of each checkpoint file (name, parent, creation
 * time, disks and bitmaps), so that a new process lists 1,000 checkpoints without parsing and validating 1,000
 * XML documents.
 *
 * <p>The XML files stay the truth. Each entry records the {@link FileStamp} of the file it was read from and is
 * used only while the file still has that stamp; a file without a matching entry is parsed. An index that is
 * missing, torn (its last line is a CRC-32 of the rest), of another version or stale therefore never gives a
 * wrong answer, only a slower one, and is rewritten by the next listing. That is why it is written without
 * fsync and needs no ordering against the XML writes: a crash anywhere leaves at worst entries that no longer
 * match.
 */
final class CheckpointIndex {

    static final String FILE = "index";
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointIndex.class);
    private static final String HEADER = "virtbackup checkpoint index 1";
    private static final String CRC = "crc ";
    /** Parsed indexes of this JVM, by path, kept while the file keeps its stamp (the 64 most recently used). */
    private static final Map<Path, Read> READ = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, Read> eldest) {
            return size() > 64;
        }
    };

    /** A checkpoint file's summary, as it was when the file had {@code stamp}. */
    record Entry(FileStamp stamp, CheckpointDef summary) {
        // written out, as FileStamp's: an index that did not change is compared entry by entry with itself

        @Override
        public boolean equals(Object o) {
            return o == this || o instanceof Entry e && stamp.equals(e.stamp) && summary.equals(e.summary);
        }

        @Override
        public int hashCode() {
            return stamp.hashCode() * 31 + summary.hashCode();
        }
    }

    private record Read(FileStamp stamp, Map<String, Entry> entries) {
    }

    private CheckpointIndex() {
    }

    /** What the index keeps of a checkpoint: name, parent, creation time, and each disk's type and bitmap. */
    static CheckpointDef summaryOf(CheckpointDef def) {
        return new CheckpointDef(def.name(), Optional.empty(), def.parent(), def.creationTime(),
                def.disks().stream().map(d -> new CheckpointDiskDef(d.name(), d.checkpoint(), d.bitmap(),
                        OptionalLong.empty())).toList(), Optional.empty());
    }

    /** The entries of {@code dir}'s index by file name; empty when it is missing, unreadable or torn. */
    static Map<String, Entry> read(Path dir) {
        Path file = dir.resolve(FILE);
        try {
            FileStamp stamp = FileStamp.of(file);
            synchronized (READ) {
                Read r = READ.get(file);
                if (r != null && r.stamp().equals(stamp)) {
                    return r.entries();
                }
            }
            Map<String, Entry> entries = parse(Files.readString(file, StandardCharsets.UTF_8));
            synchronized (READ) {
                READ.put(file, new Read(stamp, entries));
            }
            return entries;
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException | RuntimeException e) {
            LOG.debug("rebuilding the checkpoint index '{}': {}", file, e.toString());
            return Map.of();
        }
    }

    /** Records {@code entry} for {@code fileName}, or with an empty one removes it; best effort. */
    static void update(Path dir, String fileName, Optional<Entry> entry) {
        Map<String, Entry> entries = new HashMap<>(read(dir));
        entry.ifPresentOrElse(e -> entries.put(fileName, e), () -> entries.remove(fileName));
        write(dir, entries);
    }

    /**
     * Replaces {@code dir}'s index with {@code entries}; best effort: a failure is logged at debug level (the
     * next listing parses what the index lacks). A temporary file of this process, renamed over the index, so
     * that a concurrent reader sees the old or the new index, never a mix.
     */
    static void write(Path dir, Map<String, Entry> entries) {
        Path file = dir.resolve(FILE);
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + FILE, ".new");
            Files.writeString(tmp, format(entries), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            FileStamp stamp = FileStamp.of(file);
            synchronized (READ) {
                READ.put(file, new Read(stamp, Map.copyOf(entries)));
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot write the checkpoint index '{}': {}", file, e.toString());
            if (tmp != null) {
                tmp.toFile().delete();
            }
        }
    }

    static String format(Map<String, Entry> entries) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        entries.forEach((fileName, e) -> {
            CheckpointDef d = e.summary();
            List<String> fields = new ArrayList<>(List.of(fileName, e.stamp().fileKey(),
                    Long.toString(e.stamp().size()), Long.toString(e.stamp().modifiedNanos()), d.name().orElseThrow(),
                    optional(d.parent()), d.creationTime().isPresent() ? Long.toString(d.creationTime().getAsLong()) : ""));
            for (CheckpointDiskDef disk : d.disks()) {
                fields.addAll(List.of(disk.name(), disk.checkpoint().xmlValue(), optional(disk.bitmap())));
            }
            sb.append(String.join("\t", fields.stream().map(CheckpointIndex::escape).toList())).append('\n');
        });
        String crc = crc(sb);
        return sb.append(CRC).append(crc).append('\n').toString();
    }

    static Map<String, Entry> parse(String text) {
        int crcAt = text.lastIndexOf(CRC);
        if (!text.startsWith(HEADER + "\n") || crcAt < 0 || !text.endsWith("\n")
                || !text.substring(crcAt + CRC.length(), text.length() - 1).equals(crc(text.substring(0, crcAt)))) {
            throw new IllegalArgumentException("not a complete index of version 1");
        }
        Map<String, Entry> entries = new HashMap<>();
        for (String line : text.substring(HEADER.length() + 1, crcAt).split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length < 7 || (f.length - 7) % 3 != 0) {
                throw new IllegalArgumentException("malformed entry");
            }
            for (int i = 0; i < f.length; i++) {
                f[i] = unescape(f[i]);
            }
            List<CheckpointDiskDef> disks = new ArrayList<>();
            for (int i = 7; i < f.length; i += 3) {
                disks.add(new CheckpointDiskDef(f[i], CheckpointType.fromXml(f[i + 1]).orElseThrow(), optional(f[i + 2]),
                        OptionalLong.empty()));
            }
            CheckpointDef summary = new CheckpointDef(Optional.of(f[4]), Optional.empty(), optional(f[5]),
                    f[6].isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(f[6])), disks, Optional.empty());
            entries.put(f[0], new Entry(new FileStamp(f[1], Long.parseLong(f[2]), Long.parseLong(f[3])), summary));
        }
        return Map.copyOf(entries);
    }

    /** An absent value is the empty field; a present one is prefixed with '=' (so an empty name stays distinct). */
    private static String optional(Optional<String> value) {
        return value.map(v -> "=" + v).orElse("");
    }

    private static Optional<String> optional(String field) {
        if (field.isEmpty()) {
            return Optional.empty();
        }
        if (field.charAt(0) != '=') {
            throw new IllegalArgumentException("malformed optional field");
        }
        return Optional.of(field.substring(1));
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char n = s.charAt(++i);
            sb.append(switch (n) {
                case 't' -> '\t';
                case 'n' -> '\n';
                case 'r' -> '\r';
                case '\\' -> '\\';
                default -> throw new IllegalArgumentException("bad escape \\" + n);
            });
        }
        return sb.toString();
    }

    private static String crc(CharSequence text) {
        CRC32 crc = new CRC32();
        crc.update(text.toString().getBytes(StandardCharsets.UTF_8));
        return Long.toHexString(crc.getValue());
    }
}
