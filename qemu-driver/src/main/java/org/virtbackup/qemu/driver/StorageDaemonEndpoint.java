// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.launch.ImageLockedException;
import org.virtbackup.qemu.launch.QemuDisk;
import org.virtbackup.qemu.launch.QemuProcessException;
import org.virtbackup.qemu.launch.StorageDaemon;
import org.virtbackup.qemu.plan.Qmp;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpDisconnectedException;
import org.virtbackup.qemu.qmp.QmpException;
import org.virtbackup.qemu.store.DaemonFile;
import org.virtbackup.qemu.store.DomainLock;
import org.virtbackup.qemu.store.JobStore;

/**
 * A stopped domain's {@code qemu-storage-daemon} as a {@link QmpEndpoint}: its lifetime is tied to the
 * operations and jobs that need it.
 * <ul>
 *   <li>Before a connection, the daemon on record ({@link DaemonFile}) is used when it runs; else one is
 *       started on the domain's images. Its image locks tell whether the VM runs: then the operation is
 *       refused with {@code OPERATION_INVALID}.</li>
 *   <li>When the session lets go of the socket, the daemon stays while a backup job is on record (a push
 *       copies after {@code backupStart} returned, a pull's export serves until {@code backupEnd}), or while
 *       another connection uses it ({@link DaemonUsers}: one found it running and waits for its monitor, which
 *       serves one client at a time); otherwise it is told to {@code quit} over the still-connected monitor,
 *       which writes the persistent bitmaps, and awaited (SIGTERM, then SIGKILL, by PID, when it does not
 *       exit).</li>
 *   <li>So the end of a job ({@code backupEnd}, or the settle of a finished push by whoever looks) is the end
 *       of the daemon, whichever process does it. A daemon whose owner process died while no job is on record
 *       is a leftover: the next connection uses it and stops it, and opening a connection stops it at once
 *       ({@link #stopLeftover}).</li>
 *   <li>With a job on record but its daemon gone, nothing is left running: nothing answers, and the job ends
 *       as one whose QEMU died (its files deleted), as online; unless the VM runs (the job may be its QEMU's),
 *       which a daemon started and stopped at once finds out from the image locks: then the operation is
 *       refused.</li>
 * </ul>
 * Start and stop decisions are made under a lock of the run directory, across threads and processes.
 */
final class StorageDaemonEndpoint implements QmpEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(StorageDaemonEndpoint.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration QUIT_WAIT = Duration.ofSeconds(10);
    /** The kernel's limit for a unix socket path ({@code sun_path}, 108 bytes with the terminating NUL). */
    private static final int MAX_SOCKET_PATH = 107;

    private final String domain;
    private final Path domainDir;
    private final Path runDir;
    private final List<QemuDisk> disks;
    private final StorageDaemon.RunFiles files;
    private final DaemonUsers users;

    /**
     * @throws VirtBackupException {@code INVALID_ARG} when the run directory's socket path is too long
     */
    StorageDaemonEndpoint(String domain, Path domainDir, Path runDir, List<QemuDisk> disks) {
        this.domain = domain;
        this.domainDir = domainDir;
        this.runDir = runDir;
        this.disks = List.copyOf(disks);
        this.files = StorageDaemon.RunFiles.in(runDir);
        this.users = DaemonUsers.in(runDir);
        if (files.socket().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.QEMU, "the qemu-storage-daemon socket '"
                    + files.socket() + "' is longer than the " + MAX_SOCKET_PATH + " bytes a unix socket path may "
                    + "have: use a shorter state directory (statedir=)");
        }
    }

    @Override
    public Path socket() {
        return files.socket();
    }

    /** The daemon on record, if it runs. */
    Optional<StorageDaemon> running() {
        return DaemonFile.read(domainDir).flatMap(d -> StorageDaemon.find(d.pid(), Path.of(d.socket())));
    }

    @Override
    public void beforeConnect() {
        try (DomainLock lock = lock()) {
            Optional<DaemonFile> rec = DaemonFile.read(domainDir);
            if (rec.isPresent()) {
                if (StorageDaemon.find(rec.get().pid(), Path.of(rec.get().socket())).isPresent()) {
                    users.register();
                    return;
                }
                DaemonFile.delete(domainDir); // it died; a SIGKILL leaves its socket
                deleteQuietly(files.socket());
            }
            if (new JobStore(domainDir).current().isPresent()) {
                // No daemon of ours serves the job on record. If the VM runs, the job may be its QEMU's (an online
                // job): starting a daemon fails on the image locks and the operation is refused, so an offline end
                // never tears down a live job. Otherwise the job's daemon died: nothing listens, and the job ends
                // as one whose QEMU died.
                start().terminate();
                LOG.info("the qemu-storage-daemon of the backup job of domain '{}' is gone; the job ends as one "
                        + "whose QEMU died", domain);
                return;
            }
            StorageDaemon d = start();
            DaemonFile.ofThisProcess(d.pid(), d.socket()).write(domainDir);
            users.register();
        }
    }

    @Override
    public void connectFailed() {
        try (DomainLock lock = lock()) {
            users.unregister();
        } catch (VirtBackupException e) {
            LOG.warn("cannot unregister from the qemu-storage-daemon of domain '{}': {}", domain, e.getMessage());
        }
    }

    private StorageDaemon start() {
        try {
            return StorageDaemon.start(disks, files, START_TIMEOUT);
        } catch (ImageLockedException e) {
            throw new VirtBackupException(ErrorCode.OPERATION_INVALID, ErrorDomain.QEMU, "domain '" + domain
                    + "' is running: another process (its QEMU) holds the lock of its images, so the offline "
                    + "driver changes nothing; back it up through its QMP socket (qmp+unix://...) or stop it "
                    + "first (qemu-storage-daemon: " + e.getMessage().replace('\n', ' ') + ")", e);
        } catch (QemuProcessException e) {
            throw new VirtBackupException(ErrorCode.OPERATION_FAILED, ErrorDomain.QEMU,
                    "cannot start qemu-storage-daemon on the images of domain '" + domain + "': " + e.getMessage(), e);
        }
    }

    @Override
    public void beforeDisconnect(Optional<QmpChannel> connected) {
        try (DomainLock lock = lock()) {
            users.unregister();
            Optional<StorageDaemon> d = running();
            if (d.isEmpty()) {
                DaemonFile.delete(domainDir);
                return;
            }
            if (new JobStore(domainDir).current().isPresent() || connected.isEmpty() || users.othersAlive()) {
                // a job runs in it; or our connection was lost and another client may hold the monitor now: the
                // next operation stops it; or another connection found it running and waits for the monitor: the
                // last one stops it
                return;
            }
            quit(connected.get(), d.get());
            DaemonFile.delete(domainDir);
        } catch (VirtBackupException e) {
            LOG.warn("cannot stop the qemu-storage-daemon of domain '{}': {}", domain, e.getMessage());
        }
    }

    /**
     * Stops a daemon on record whose owner process died while no job was on record (the owner was killed in
     * the middle of an operation): nobody else will. A daemon with a job, whose owner runs, or that another
     * live connection uses, is left alone.
     */
    void stopLeftover() {
        try (DomainLock lock = lock()) {
            Optional<DaemonFile> rec = DaemonFile.read(domainDir);
            if (rec.isEmpty() || rec.get().ownerAlive() || new JobStore(domainDir).current().isPresent()
                    || users.othersAlive()) {
                return;
            }
            StorageDaemon.find(rec.get().pid(), Path.of(rec.get().socket())).ifPresent(d -> {
                LOG.warn("stopping qemu-storage-daemon pid {} left by process {} on domain '{}'", d.pid(),
                        rec.get().owner(), domain);
                d.terminate();
            });
            DaemonFile.delete(domainDir);
        }
    }

    private static void quit(QmpChannel qmp, StorageDaemon d) {
        try {
            qmp.execute(Qmp.quit(), QUIT_WAIT);
        } catch (QmpDisconnectedException e) {
            // it may exit before its reply reaches us
        } catch (QmpException e) {
            LOG.warn("quit failed on qemu-storage-daemon pid {}: {}", d.pid(), e.getMessage());
        }
        if (!d.awaitExit(QUIT_WAIT)) {
            LOG.warn("qemu-storage-daemon pid {} did not exit after quit; terminating it", d.pid());
            d.terminate();
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            java.nio.file.Files.deleteIfExists(file);
        } catch (java.io.IOException e) {
            LOG.debug("cannot delete '{}': {}", file, e.getMessage());
        }
    }

    private DomainLock lock() {
        return DomainLock.acquire(runDir, DomainContext.LOCK_TIMEOUT);
    }
}
