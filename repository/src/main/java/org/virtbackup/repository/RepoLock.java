// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * The repository's lock: an exclusive {@code fcntl} lock on {@code DIR/.lock}, held by a run that changes the
 * repository ({@code repo backup}, {@code repo prune}) from its start to its end. A second run fails at once
 * instead of waiting; the lock goes with the process that held it, also when it is killed, so a crashed run
 * never blocks the next. The file keeps the holder's PID, for the message only.
 *
 * @since 0.1
 */
public final class RepoLock implements AutoCloseable {
    static final String FILE = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private RepoLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code repo} for {@code what} ("backup", "prune"), which the file records.
     *
     * @throws VirtBackupException RESOURCE_BUSY when another run holds it, WRITE_FAILED when the lock file cannot
     *     be opened
     */
    public static RepoLock acquire(Repository repo, String what) {
        Path file = repo.root().resolve(FILE);
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.WRITE_FAILED, ErrorDomain.STORAGE,
                    "cannot open the lock file '" + file + "' of the repository: " + e.getMessage(), e);
        }
        try {
            FileLock l = tryLock(ch);
            if (l == null) {
                throw new VirtBackupException(ErrorCode.RESOURCE_BUSY, ErrorDomain.STORAGE, "repository '"
                        + repo.root() + "' is in use by another run" + holder(ch) + ": wait for it to end (lock file '"
                        + file + "')");
            }
            ch.truncate(0);
            ch.write(StandardCharsets.UTF_8.encode(ProcessHandle.current().pid() + " " + what + "\n"), 0);
            return new RepoLock(ch, l);
        } catch (IOException e) {
            close(ch);
            throw new VirtBackupException(ErrorCode.WRITE_FAILED, ErrorDomain.STORAGE,
                    "cannot lock '" + file + "': " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close(ch);
            throw e;
        }
    }

    /** Releases the lock (the file stays: removing it would race with a run that just opened it). */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel below releases it as well
        }
        close(channel);
    }

    private static FileLock tryLock(FileChannel ch) throws IOException {
        try {
            return ch.tryLock();
        } catch (OverlappingFileLockException e) {
            return null; // this JVM holds it already
        }
    }

    /** {@code " (pid 123, backup)"} from the file, or nothing when it says nothing useful. */
    private static String holder(FileChannel ch) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(128);
            ch.read(buf, 0);
            String[] s = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip().split(" ", 2);
            return s.length == 2 && s[0].matches("[0-9]+") ? " (pid " + s[0] + ", " + s[1] + ")" : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing the caller could do
        }
    }
}
