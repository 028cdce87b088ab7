// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import java.io.PrintWriter;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.virtbackup.api.BackupDryRun;
import org.virtbackup.api.BackupEndDryRun;
import org.virtbackup.api.BackupEndFlag;
import org.virtbackup.api.BackupJob;
import org.virtbackup.api.BackupMode;
import org.virtbackup.api.BackupStartFlag;
import org.virtbackup.api.Domain;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.api.VirtBackupException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * The backup verbs: {@code backup-begin}, {@code backup-end}, {@code backup-speed}, {@code backup-dumpxml},
 * {@code domjobinfo}, {@code domjobabort}.
 */
final class BackupCommands {

    private BackupCommands() {
    }

    /** The default when no backup XML is given, as virsh does: a full push backup of every disk. */
    static final String DEFAULT_BACKUP_XML = "<domainbackup/>";

    @Command(name = "backup-begin", description = {
        "Start a backup job (libvirt's virDomainBackupBegin). Returns once the job runs and prints its id.",
        "Without BACKUP.xml: a full push backup of every writable disk, as virsh does.",
        "With --connect qsd:///PATH/domain.xml (a stopped VM): the same job on a qemu-storage-daemon started over "
            + "the VM's images, which outlives this command until the job ends; a running VM is refused."})
    static final class Begin extends ConnectedVerb {
        @Parameters(arity = "0..1", paramLabel = "BACKUP.xml", description = "<domainbackup> XML, or - for standard input")
        String backupFile;

        @Option(names = "--checkpointxml", paramLabel = "CP.xml", description = "<domaincheckpoint> to create at the same point in time")
        String checkpointFile;

        @Option(names = "--reuse-external", description = "Targets/scratch images exist already; attach them as they are")
        boolean reuseExternal;

        @Option(names = "--incremental-fallback-full", description = "Beyond libvirt: back up in full any disk whose "
                + "checkpoint chain is unusable, instead of failing the job (the job info says which disk and why)")
        boolean fallbackFull;

        @Option(names = "--preserve-domain-on-shutdown", description = "If the guest shuts down during the job, "
                + "pause it and keep QEMU, the copy and the exports until the job ends, then stop QEMU (virsh's option; "
                + "refused with qsd:, which has no guest)")
        boolean preserveOnShutdown;

        @Option(names = "--dry-run", description = "Print the aligned backup XML and change nothing")
        boolean dryRun;

        @Option(names = "--backup-speed", paramLabel = "BYTES", converter = GlobalOptions.SpeedConverter.class,
                description = "Copy speed limit of a push backup, in bytes per second per disk; suffix K, M or G "
                        + "for KiB, MiB, GiB (default: 0, unlimited; backup-speed changes it while the job runs)")
        Long backupSpeed;

        @Option(names = "--print-qmp", description = "With --dry-run: also print the QMP plan, one JSON object per line")
        boolean printQmp;

        @Override
        void before() {
            if (printQmp && !dryRun) {
                throw new ParameterException(spec.commandLine(), "--print-qmp requires --dry-run");
            }
            if ("-".equals(backupFile) && "-".equals(checkpointFile)) {
                throw new ParameterException(spec.commandLine(),
                        "only one of BACKUP.xml and --checkpointxml can be read from standard input");
            }
        }

        @Override
        List<XmlWarmUp.Parse> parses() {
            return checkpointFile == null ? List.of(XmlWarmUp.Parse.BACKUP)
                    : List.of(XmlWarmUp.Parse.BACKUP, XmlWarmUp.Parse.CHECKPOINT);
        }

        @Override
        Map<String, String> driverOptions() {
            return backupSpeed == null ? Map.of() : Map.of("backupSpeed", Long.toString(backupSpeed));
        }

        @Override
        int run(Domain dom, PrintWriter out) {
            String backupXml = backupFile == null ? DEFAULT_BACKUP_XML : Input.read(backupFile);
            String checkpointXml = checkpointFile == null ? null : Input.read(checkpointFile);
            EnumSet<BackupStartFlag> flags = EnumSet.noneOf(BackupStartFlag.class);
            if (reuseExternal) {
                flags.add(BackupStartFlag.REUSE_EXTERNAL);
            }
            if (fallbackFull) {
                flags.add(BackupStartFlag.INCREMENTAL_FALLBACK_FULL);
            }
            if (preserveOnShutdown) {
                flags.add(BackupStartFlag.PRESERVE_ON_GUEST_SHUTDOWN);
            }
            if (dryRun) {
                BackupDryRun plan = dom.backupDryRun(backupXml, checkpointXml, flags);
                out.print(plan.alignedXml());
                if (printQmp) {
                    plan.qmpPlan().forEach(out::println);
                }
            } else {
                BackupJob job = dom.backupStart(backupXml, checkpointXml, flags);
                out.println("Backup started: job " + job.id());
            }
            return 0;
        }
    }

    /** A verb on the running job, whose record holds the backup's XML in the internal form. */
    abstract static class JobVerb extends ConnectedVerb {
        @Override
        List<XmlWarmUp.Parse> parses() {
            return List.of(XmlWarmUp.Parse.JOB);
        }
    }

    @Command(name = "backup-end", description = {
        "End the backup job and print its final statistics.",
        "A completed push backup's targets are released; a push backup still copying is cancelled and the targets "
            + "virtbackup created are deleted; a pull backup's exports and scratch images are torn down.",
        "Works from any process. Ending again prints the same statistics. Exit 1 if the backup failed.",
        "With qsd:, the end of the job also stops the qemu-storage-daemon it ran in (its bitmaps written)."})
    static final class End extends JobVerb {
        @Option(names = "--wait", description = "Wait for a push backup to finish copying first (completion is seen "
                + "from QEMU's events at once): a progress bar on a terminal, else a progress line on standard error "
                + "every 2 s and one with the final state")
        boolean await;

        @Option(names = "--discard-checkpoint", description = "Delete the checkpoint this backup created")
        boolean discardCheckpoint;

        @Option(names = "--dry-run", description = "Print the statistics the end would report, and change nothing")
        boolean dryRun;

        @Option(names = "--print-qmp", description = "With --dry-run: also print the QMP end plan, one JSON object "
                + "per line")
        boolean printQmp;

        @Override
        void before() {
            if (printQmp && !dryRun) {
                throw new ParameterException(spec.commandLine(), "--print-qmp requires --dry-run");
            }
            if (dryRun && await) {
                throw new ParameterException(spec.commandLine(), "--dry-run and --wait cannot be combined");
            }
        }

        @Override
        int run(Domain dom, PrintWriter out) {
            if (await) {
                Optional<BackupJob> job = dom.currentBackup();
                JobInfo last = job.isPresent() ? null : dom.jobInfo(true);
                if (job.isPresent()) {
                    Progress.follow(job.get(), err());
                } else if (last.mode() == BackupMode.PUSH && last.state().isTerminal()) {
                    err().println(Progress.line(last)); // it finished before we looked
                    err().flush();
                }
            }
            EnumSet<BackupEndFlag> flags = EnumSet.noneOf(BackupEndFlag.class);
            if (discardCheckpoint) {
                flags.add(BackupEndFlag.DISCARD_CHECKPOINT);
            }
            if (dryRun) {
                BackupEndDryRun plan = dom.backupEndDryRun(flags);
                out.print(options().json ? JobInfoFormat.json(plan.outcome()) : JobInfoFormat.text(plan.outcome()));
                if (printQmp) {
                    plan.qmpPlan().forEach(out::println);
                }
                return 0;
            }
            JobInfo last = dom.backupEnd(flags);
            out.print(options().json ? JobInfoFormat.json(last) : JobInfoFormat.text(last));
            if (last.state() == JobState.FAILED) {
                out.flush();
                err().println("error: the backup job failed: " + last.errorMessage().orElse("unknown error"));
                err().flush();
                return 1;
            }
            return 0;
        }
    }

    @Command(name = "backup-speed", description = {
        "Change the copy speed of the running push backup, for every disk still copying (beyond libvirt).",
        "SPEED is in bytes per second per disk, with an optional suffix K, M or G; 0 removes the limit."})
    static final class Speed extends JobVerb {
        @Parameters(paramLabel = "SPEED", converter = GlobalOptions.SpeedConverter.class,
                description = "bytes per second per disk (K, M, G suffixes); 0 for unlimited")
        long speed;

        @Override
        int run(Domain dom, PrintWriter out) {
            BackupJob job = dom.currentBackup().orElseThrow(() -> new VirtBackupException(ErrorCode.NO_DOMAIN_BACKUP,
                    ErrorDomain.NONE, "no domain backup job present"));
            job.setSpeed(speed);
            return 0;
        }
    }

    @Command(name = "backup-dumpxml", description = "Print the running backup's XML, aligned and with index (virDomainBackupGetXMLDesc).")
    static final class DumpXml extends JobVerb {
        @Override
        int run(Domain dom, PrintWriter out) {
            out.print(dom.backupGetXmlDesc());
            return 0;
        }
    }

    @Command(name = "domjobinfo", description = "Print the backup job's statistics, as virsh domjobinfo does.")
    static final class JobInfoVerb extends JobVerb {
        @Option(names = "--completed", description = "Statistics of the last finished job")
        boolean completed;

        @Override
        int run(Domain dom, PrintWriter out) {
            JobInfo info = dom.jobInfo(completed);
            out.print(options().json ? JobInfoFormat.json(info) : JobInfoFormat.text(info));
            return 0;
        }
    }

    @Command(name = "domjobabort", description = {"Abort the backup job (libvirt's virDomainAbortJob).",
        "Ends it as backup-end does, but prints nothing and fails when no job is running."})
    static final class Abort extends JobVerb {
        @Override
        int run(Domain dom, PrintWriter out) {
            dom.abortJob();
            return 0;
        }
    }
}
