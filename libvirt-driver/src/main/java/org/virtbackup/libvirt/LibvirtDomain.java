// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.virtbackup.api.BackupDryRun;
import org.virtbackup.api.BackupEndDryRun;
import org.virtbackup.api.BackupEndFlag;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.BackupStartFlag;
import org.virtbackup.api.CheckpointCreateFlag;
import org.virtbackup.api.CheckpointHealth;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.VirtBackupException;

/**
 * A libvirt domain ({@code virDomainPtr}). Each operation is one libvirt call; libvirt parses, aligns and checks
 * the XML, and keeps the job and the checkpoint metadata. What only our QEMU driver can do fails with
 * {@link ErrorCode#NO_SUPPORT} naming that driver.
 */
final class LibvirtDomain implements Domain {
    /** How long {@link #backupEnd} waits for libvirt to finish a cancelled or aborted job. */
    private static final Duration END_TIMEOUT = Duration.ofMinutes(2);
    /** How often a wait for the end of a job looks again without an event. */
    private static final Duration RECHECK = Duration.ofSeconds(1);

    private final LibvirtConnection connection;
    private final org.libvirt.Domain dom;
    private final String name;
    /** The checkpoint the backup this object began created, for {@code DISCARD_CHECKPOINT}. */
    private volatile Optional<String> jobCheckpoint = Optional.empty();

    LibvirtDomain(LibvirtConnection connection, org.libvirt.Domain dom) {
        this.connection = connection;
        this.dom = dom;
        this.name = LibvirtErrors.call(dom::getName);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public BackupJob backupStart(String backupXml, String checkpointXml, Set<BackupStartFlag> flags) {
        Objects.requireNonNull(backupXml, "backupXml");
        Objects.requireNonNull(flags, "flags");
        if (flags.contains(BackupStartFlag.INCREMENTAL_FALLBACK_FULL)) {
            throw LibvirtErrors.noSupport("BackupStartFlag.INCREMENTAL_FALLBACK_FULL (per-disk fallback to full)");
        }
        int bits = Flags.bits(flags, BackupStartFlag::bit);
        // libvirt names a checkpoint whose XML has none itself: note the names before, to find the new one
        boolean unnamed = checkpointXml != null && XmlFields.childText(checkpointXml, "name").isEmpty();
        Set<String> before = unnamed ? checkpointNames() : Set.of();
        LibvirtErrors.call(() -> {
            dom.backupBegin(backupXml, checkpointXml, bits);
            return null;
        });
        jobCheckpoint = checkpointXml == null ? Optional.empty() : newCheckpoint(checkpointXml, before);
        BackupMode mode = XmlFields.rootAttribute(backupXml, "mode").filter("pull"::equals).isPresent()
                ? BackupMode.PULL : BackupMode.PUSH;
        return new LibvirtBackupJob(this, mode);
    }

    /** The name libvirt gave the checkpoint created with the backup (it generates one when the XML has none). */
    private Optional<String> newCheckpoint(String checkpointXml, Set<String> before) {
        Optional<String> named = XmlFields.childText(checkpointXml, "name");
        if (named.isPresent()) {
            return named;
        }
        return checkpointNames().stream().filter(n -> !before.contains(n)).findFirst();
    }

    private Set<String> checkpointNames() {
        return Set.copyOf(List.of(LibvirtErrors.call(() -> dom.checkpointListNames(0))));
    }

    @Override
    public BackupDryRun backupDryRun(String backupXml, String checkpointXml, Set<BackupStartFlag> flags) {
        Objects.requireNonNull(backupXml, "backupXml");
        Objects.requireNonNull(flags, "flags");
        throw LibvirtErrors.noSupport("a backup dry run (the QMP plan)");
    }

    @Override
    public BackupEndDryRun backupEndDryRun(Set<BackupEndFlag> flags) {
        Objects.requireNonNull(flags, "flags");
        throw LibvirtErrors.noSupport("a backup-end dry run (the QMP end plan)");
    }

    @Override
    public String backupGetXmlDesc() {
        return LibvirtErrors.call(() -> dom.getBackupXMLDesc(0));
    }

    @Override
    public Optional<BackupJob> currentBackup() {
        JobStats now = stats(false);
        if (!now.active() || !now.isBackupOrNone()) {
            return Optional.empty();
        }
        try {
            String xml = backupGetXmlDesc();
            BackupMode mode = XmlFields.rootAttribute(xml, "mode").filter("pull"::equals).isPresent()
                    ? BackupMode.PULL : BackupMode.PUSH;
            return Optional.of(new LibvirtBackupJob(this, mode));
        } catch (VirtBackupException e) {
            if (e.code() == ErrorCode.NO_DOMAIN_BACKUP) {
                return Optional.empty(); // it ended between the two calls
            }
            throw e;
        }
    }

    /**
     * libvirt has no BackupEnd: a push ends by itself and a pull ends with {@code virDomainAbortJob}. This aborts a
     * running job (cancelling a push that has not finished), waits until libvirt has ended it, and returns the
     * completed job's statistics; after a job that already ended it returns them again (idempotent).
     */
    @Override
    public JobInfo backupEnd(Set<BackupEndFlag> flags) {
        Objects.requireNonNull(flags, "flags");
        boolean discard = flags.contains(BackupEndFlag.DISCARD_CHECKPOINT);
        Optional<String> checkpoint = jobCheckpoint;
        if (discard && checkpoint.isEmpty()) {
            throw new VirtBackupException(ErrorCode.NO_SUPPORT, ErrorDomain.NONE, "DISCARD_CHECKPOINT: libvirt does "
                    + "not record which checkpoint a backup created, so the libvirt driver knows it only on the "
                    + "Domain object that began the job; delete the checkpoint with checkpoint-delete instead");
        }
        JobStats now = stats(false);
        if (now.active() && now.isBackupOrNone()) {
            try {
                LibvirtErrors.call(dom::abortJob);
            } catch (VirtBackupException e) {
                // "no job is active": a push that finished between the look and the abort ended by itself, and
                // libvirt recorded its completed statistics (read below) as for any other end
                if (e.code() != ErrorCode.OPERATION_INVALID || stats(false).active()) {
                    throw e;
                }
            }
            awaitNoJob(END_TIMEOUT);
        }
        JobStats last = stats(true);
        if (last.type() == JobStats.NONE || !last.isBackupOrNone()) {
            throw new VirtBackupException(ErrorCode.NO_DOMAIN_BACKUP, ErrorDomain.NONE,
                    "no domain backup job present");
        }
        if (discard) {
            discardCheckpoint(checkpoint.get());
        }
        jobCheckpoint = Optional.empty();
        return last.toJobInfo();
    }

    private void discardCheckpoint(String checkpoint) {
        org.libvirt.DomainCheckpoint cp = LibvirtErrors.call(() -> dom.checkpointLookupByName(checkpoint));
        if (cp != null) { // already gone (deleted by hand in between): nothing left to discard
            LibvirtErrors.call(() -> cp.delete(0));
        }
    }

    /**
     * Waits until libvirt reports no running job, woken by libvirt's JOB_COMPLETED event; fails with
     * {@code OPERATION_TIMEOUT}.
     */
    void awaitNoJob(Duration timeout) {
        Semaphore completed = new Semaphore(0);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (JobCompletedEvents.Subscription sub = connection.events().subscribe(name, completed::release)) {
            // subscribed before the first look, so a job that ends in between still wakes us
            while (stats(false).active()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new VirtBackupException(ErrorCode.OPERATION_TIMEOUT, ErrorDomain.NONE,
                            "the job of domain '" + name + "' did not end within " + timeout.toSeconds() + " s");
                }
                // the event ends the wait; looking again each second covers an event lost with a broken connection
                completed.tryAcquire(Math.min(left, RECHECK.toNanos()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VirtBackupException(ErrorCode.OPERATION_ABORTED, ErrorDomain.NONE, "interrupted", e);
        }
    }

    @Override
    public void abortJob() {
        LibvirtErrors.call(dom::abortJob);
    }

    @Override
    public JobInfo jobInfo(boolean completed) {
        return stats(completed).toJobInfo();
    }

    JobStats stats(boolean completed) {
        return JobStats.of(LibvirtErrors.call(() -> dom.getJobStats(completed ? JobStats.FLAGS_COMPLETED : 0)));
    }

    @Override
    public DomainCheckpoint checkpointCreateXml(String checkpointXml, Set<CheckpointCreateFlag> flags) {
        Objects.requireNonNull(checkpointXml, "checkpointXml");
        int bits = Flags.bits(flags, CheckpointCreateFlag::bit);
        return new LibvirtCheckpoint(this, LibvirtErrors.call(() -> dom.checkpointCreateXML(checkpointXml, bits)));
    }

    @Override
    public List<DomainCheckpoint> listAllCheckpoints(Set<CheckpointListFlag> flags) {
        int bits = Flags.bits(flags, CheckpointListFlag::bit);
        return LibvirtCheckpoint.wrap(this, LibvirtErrors.call(() -> dom.listAllCheckpoints(bits)));
    }

    @Override
    public DomainCheckpoint checkpointLookupByName(String checkpoint) {
        Objects.requireNonNull(checkpoint, "name");
        org.libvirt.DomainCheckpoint cp = LibvirtErrors.call(() -> dom.checkpointLookupByName(checkpoint));
        if (cp == null) {
            // libvirt-java returns null here instead of raising libvirt's error: take it from libvirt
            throw LibvirtErrors.lastError(new VirtBackupException(ErrorCode.NO_DOMAIN_CHECKPOINT,
                    ErrorDomain.QEMU, "no domain checkpoint with matching name '" + checkpoint + "'"));
        }
        return new LibvirtCheckpoint(this, cp);
    }

    @Override
    public CheckpointHealth checkpointHealth() {
        throw LibvirtErrors.noSupport("checkpoint health (metadata against the bitmaps)");
    }

    @Override
    public DomainCheckpoint checkpointAdoptBitmap(String bitmap) {
        Objects.requireNonNull(bitmap, "bitmap");
        throw LibvirtErrors.noSupport("adopting an orphan bitmap as a checkpoint");
    }

    @Override
    public void checkpointRemoveBitmap(String bitmap) {
        Objects.requireNonNull(bitmap, "bitmap");
        throw LibvirtErrors.noSupport("removing an orphan bitmap");
    }

    /**
     * Not yet: libvirt 9.0 has {@code virDomainFDAssociate}, but its backup NBD server takes an fd group only from
     * libvirt 11.3 on ({@code transport='fd'}), and libvirt-java 0.5.4 does not bind the call.
     */
    @Override
    public void fdAssociate(String fdGroup, List<java.io.FileDescriptor> fds) {
        Objects.requireNonNull(fdGroup, "name");
        Objects.requireNonNull(fds, "fds");
        throw LibvirtErrors.noSupport("fdAssociate for a pull backup's NBD server (transport='fd', libvirt 11.3)");
    }

    LibvirtConnection connection() {
        return connection;
    }

    @Override
    public String toString() {
        return "LibvirtDomain[" + name + "]";
    }
}
