// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.virtbackup.xml.model.CheckpointDef;

/**
 * This JVM's last reading of each checkpoint directory (the summaries and their tree), reused while the directory
 * and its {@link CheckpointIndex} keep the stamps they had before that reading: a listing then costs two
 * {@code stat} calls instead of one per checkpoint file.
 *
 * <p>Why two stamps suffice. Every change of a checkpoint, by any process, adds, removes or renames an entry of
 * the directory (files are only ever replaced by rename, {@link AtomicFiles}), which sets the directory's
 * modification time. The driver also rewrites the index after each change, by renaming a new file over it: the
 * index then has another inode than the one it had before the change (the new file was created while the old one
 * still existed).
 *
 * <p>The hazard is the file system's timestamp granularity: without multigrain timestamps (Linux before 6.13, or
 * a file system without them) two changes within one clock tick (1–10 ms) give the directory the same time, so
 * a change made right after a reading, within the tick of the change before it, would not show in the directory's
 * time. A change made by the driver is still seen, by the index's new inode; what is left is a writer that died
 * between renaming a checkpoint file and rewriting the index (or two complete changes within one tick that give the
 * index back its old inode and size). Hence git's "racy" rule: a reading whose directory time is not at least
 * {@link #MARGIN_MILLIS} older than the reading itself is trusted only until that margin has passed, then read
 * again; a later change cannot share the time of a directory that old, so a settled reading is trusted for as long
 * as both stamps hold. Times are compared with this machine's clock: the state directory is local.
 *
 * <p>Not seen by a kept listing: a checkpoint file edited in place (written without a rename, which the driver
 * never does) changes neither stamp; {@link CheckpointStore#load} and
 * {@link CheckpointStore#loadAll} still see it, as they stamp each file, and a listing sees it with the
 * directory's next change.
 */
final class CheckpointSnapshots {

    /** Longer than any kernel clock tick (10 ms at {@code HZ=100}), with room for the clock's own steps. */
    static final long MARGIN_MILLIS = 100;
    private static final int DIRECTORIES = 64;
    private static final Map<Path, Entry> BY_DIR = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, Entry> eldest) {
            return size() > DIRECTORIES;
        }
    };

    /**
     * What a reading of the directory found.
     *
     * @param summaries every readable checkpoint's summary, by the name it holds
     * @param tree their tree
     * @param byOwnFile the summaries of the files named after the (valid) name they hold, as
     *     {@link CheckpointStore#summary} finds each
     */
    record Snapshot(Map<String, CheckpointDef> summaries, CheckpointTree tree, Map<String, CheckpointDef> byOwnFile) {
    }

    /** The directory's stamp and its index's, if it has one, taken before a reading. */
    record Stamps(FileStamp dir, Optional<FileStamp> index) {
        // equals written out: a record's generated one links a method handle on first use (see FileStamp)
        @Override
        public boolean equals(Object o) {
            return o == this || o instanceof Stamps s && dir.equals(s.dir) && index.equals(s.index);
        }

        @Override
        public int hashCode() {
            return dir.hashCode() * 31 + index.hashCode();
        }
    }

    private record Entry(Stamps stamps, long trustedUntilMillis, Snapshot snapshot) {
    }

    private CheckpointSnapshots() {
    }

    /** The stamps of {@code dir} now; empty when it is missing or cannot be read (nothing is then kept). */
    static Optional<Stamps> stamps(Path dir) {
        try {
            FileStamp d = FileStamp.ofDirectory(dir);
            Optional<FileStamp> index;
            try {
                index = Optional.of(FileStamp.of(dir.resolve(CheckpointIndex.FILE)));
            } catch (NoSuchFileException e) {
                index = Optional.empty();
            }
            return Optional.of(new Stamps(d, index));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The reading kept for {@code dir}, if it was taken with {@code now}'s stamps and may still be trusted. */
    static synchronized Optional<Snapshot> get(Path dir, Stamps now, long nowMillis) {
        Entry e = BY_DIR.get(key(dir));
        if (e == null || !e.stamps().equals(now) || nowMillis >= e.trustedUntilMillis()) {
            return Optional.empty();
        }
        return Optional.of(e.snapshot());
    }

    /**
     * Keeps {@code snapshot}, read after {@code before} was taken at {@code readAtMillis} (both taken before the
     * directory was read: a change during the reading changes the stamps, so the next caller reads again).
     */
    static synchronized void put(Path dir, Stamps before, long readAtMillis, Snapshot snapshot) {
        long dirMillis = TimeUnit.NANOSECONDS.toMillis(before.dir().modifiedNanos());
        long trustedUntil = dirMillis + MARGIN_MILLIS <= readAtMillis ? Long.MAX_VALUE
                : Math.min(dirMillis, readAtMillis) + MARGIN_MILLIS;
        BY_DIR.put(key(dir), new Entry(before, trustedUntil, snapshot));
    }

    private static Path key(Path dir) {
        return dir.toAbsolutePath().normalize();
    }
}
