// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * The lock that serialises changes to one domain's state, across threads and across processes.
 *
 * <p>An OS file lock ({@code fcntl}) on {@code <domain dir>/lock} excludes other processes; it is released
 * by the kernel when a process dies, so a crash never leaves a domain locked. File locks are per process, so
 * a JVM-wide {@link ReentrantLock} per lock file excludes other threads of this process first.
 */
public final class DomainLock implements AutoCloseable {

    private static final Map<Path, ReentrantLock> LOCAL = new ConcurrentHashMap<>();
    private static final Duration POLL = Duration.ofMillis(20);

    private final ReentrantLock local;
    private final FileChannel channel;
    private final FileLock fileLock;

    private DomainLock(ReentrantLock local, FileChannel channel, FileLock fileLock) {
        this.local = local;
        this.channel = channel;
        this.fileLock = fileLock;
    }

    /**
     * Acquires the lock of a domain directory, waiting at most {@code timeout}.
     *
     * @throws VirtBackupException {@link ErrorCode#OPERATION_TIMEOUT} when another thread or process holds it
     *     for longer than {@code timeout}
     */
    public static DomainLock acquire(Path domainDir, Duration timeout) {
        Path file = domainDir.toAbsolutePath().normalize().resolve("lock");
        long deadline = System.nanoTime() + timeout.toNanos();
        ReentrantLock local = LOCAL.computeIfAbsent(file, f -> new ReentrantLock());
        try {
            if (!local.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw busy(domainDir, timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw busy(domainDir, timeout);
        }
        try {
            return lockFile(file, local, deadline, domainDir, timeout);
        } catch (RuntimeException e) {
            local.unlock();
            throw e;
        }
    }

    private static DomainLock lockFile(Path file, ReentrantLock local, long deadline, Path domainDir, Duration timeout) {
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            while (true) {
                FileLock fl = ch.tryLock();
                if (fl != null) {
                    return new DomainLock(local, ch, fl);
                }
                if (System.nanoTime() > deadline) {
                    throw busy(domainDir, timeout);
                }
                Thread.sleep(POLL.toMillis());
            }
        } catch (IOException e) {
            closeQuietly(ch);
            throw new VirtBackupException(ErrorCode.SYSTEM_ERROR, ErrorDomain.QEMU,
                    "cannot lock '" + file + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(ch);
            throw busy(domainDir, timeout);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static VirtBackupException busy(Path domainDir, Duration timeout) {
        return new VirtBackupException(ErrorCode.OPERATION_TIMEOUT, ErrorDomain.QEMU,
                "cannot acquire state change lock of '" + domainDir + "' within " + timeout.toMillis()
                        + " ms: another virtbackup operation on this domain is in progress");
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to do: the lock was not taken
            }
        }
    }

    @Override
    public void close() {
        try {
            fileLock.release();
            channel.close();
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.SYSTEM_ERROR, ErrorDomain.QEMU,
                    "cannot release state change lock: " + e.getMessage(), e);
        } finally {
            local.unlock();
        }
    }
}
