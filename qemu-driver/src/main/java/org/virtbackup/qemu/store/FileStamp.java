// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

/**
 * What identifies one version of a file: its inode ({@code fileKey}, as text so that it can be kept in a file),
 * size and modification time. {@link AtomicFiles#write} renames a new file over the old one, so every write, from
 * any process, gives a new inode; size and time also catch an edit in place.
 */
record FileStamp(String fileKey, long size, long modifiedNanos) {

    /** The stamp of the regular file {@code f}; an {@link IOException} when it is missing or not a regular file. */
    static FileStamp of(Path f) throws IOException {
        return of(f, false);
    }

    /**
     * The stamp of the directory {@code d}: its modification time changes whenever an entry is added, removed or
     * renamed in it (but only by the file system's timestamp granularity, see {@link CheckpointSnapshots}).
     */
    static FileStamp ofDirectory(Path d) throws IOException {
        return of(d, true);
    }

    private static FileStamp of(Path p, boolean directory) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (directory ? !a.isDirectory() : !a.isRegularFile()) {
            throw new IOException(directory ? "not a directory" : "not a regular file");
        }
        return new FileStamp(String.valueOf(a.fileKey()), a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS));
    }

    // equals and hashCode written out: a record's generated ones link a method handle on first use, which a
    // short process (one CLI verb checking a thousand checkpoint files) pays cold

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof FileStamp s && size == s.size && modifiedNanos == s.modifiedNanos
                && fileKey.equals(s.fileKey);
    }

    @Override
    public int hashCode() {
        return (fileKey.hashCode() * 31 + Long.hashCode(size)) * 31 + Long.hashCode(modifiedNanos);
    }
}
