// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.virtbackup.qemu.plan.BlockdevOptions;
import org.virtbackup.qemu.plan.CreateOptions;
import org.virtbackup.qemu.plan.NbdAddress;
import org.virtbackup.qemu.plan.Qmp;
import org.virtbackup.qemu.plan.Sync;
import org.virtbackup.qemu.plan.TransactionAction;
import org.virtbackup.qemu.qmp.JobStatus;
import org.virtbackup.qemu.qmp.JobWatch;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpCommand;

/**
 * The QMP libvirt 9.0 sends for a full pull backup of N disks without checkpoint, over a raw channel
 * ({@code s6_libvirt/libvirt_qmp_backup.trace}, the pull part, lines 128-178 and 182-216). Start:
 * {@code query-named-block-nodes}; per disk an empty scratch file (libvirt creates it itself), {@code blockdev-add
 * file (auto-read-only, discard unmap)}, {@code blockdev-create qcow2 (size, cluster-size 65536, backing-file
 * and -fmt of the source)} awaited until {@code concluded}, {@code query-jobs}, {@code job-dismiss},
 * {@code blockdev-add qcow2 (backing: the source format node)}; then {@code nbd-server-start}, one
 * {@code transaction} of {@code blockdev-backup sync=none} per disk, {@code block-export-add} per disk,
 * {@code query-jobs}. End: {@code query-named-block-nodes}, {@code block-job-cancel force} per disk, then per
 * disk the job's {@code concluded}, {@code query-jobs}, {@code job-dismiss}; {@code nbd-server-stop} (once:
 * libvirt's second one fails harmlessly); {@code blockdev-del} format then storage per disk; the scratch files
 * deleted (libvirt unlinks the scratch files it created when the job terminates, {@code qemuBackupJobTerminate},
 * as our end does).
 */
final class LibvirtPull {
    private final DiskSet d;
    private int startCommands;

    LibvirtPull(DiskSet d) {
        this.d = d;
    }

    /** How many QMP commands the last {@link #start} sent. */
    int startCommands() {
        return startCommands;
    }

    /** Starts the pull on {@code qmp}; returns when the last command of the start sequence replied. */
    void start(QmpChannel qmp, Path socket) throws Exception {
        Instant deadline = Instant.now().plusSeconds(120);
        startCommands = 0;
        send(qmp, Qmp.queryNamedBlockNodes());
        List<TransactionAction> backups = new ArrayList<>();
        for (int i = 0; i < d.names.size(); i++) {
            Path scratch = scratch(i);
            Files.createFile(scratch);
            send(qmp, Qmp.blockdevAdd(new BlockdevOptions.Storage(storage(i), false, scratch.toString())));
            CreateOptions.Qcow2 qcow2 = new CreateOptions.Qcow2(storage(i), d.diskSize, Optional.of(65536L),
                    Optional.of(d.qemu.disks().get(i).image().toString()), Optional.of("qcow2"));
            startCommands++;
            JobWatch.run(qmp, Qmp.blockdevCreate(createJob(i), qcow2), createJob(i), EnumSet.of(JobStatus.CONCLUDED),
                    deadline);
            send(qmp, Qmp.queryJobs());
            send(qmp, Qmp.jobDismiss(createJob(i)));
            send(qmp, Qmp.blockdevAdd(new BlockdevOptions.Qcow2(format(i), storage(i),
                    Optional.of(d.formatNode(i)))));
            backups.add(Qmp.blockdevBackup(job(i), d.formatNode(i), format(i), Sync.NONE));
        }
        send(qmp, Qmp.nbdServerStart(new NbdAddress.Unix(socket.toString()), Optional.empty()));
        send(qmp, Qmp.transaction(backups));
        for (int i = 0; i < d.names.size(); i++) {
            send(qmp, Qmp.blockExportAdd("bench-export-" + i, format(i), d.names.get(i), List.of()));
        }
        send(qmp, Qmp.queryJobs());
    }

    private void send(QmpChannel qmp, QmpCommand command) {
        startCommands++;
        qmp.execute(command);
    }

    /** Ends the pull started by {@link #start} on the same channel. */
    void end(QmpChannel qmp) throws IOException {
        Instant deadline = Instant.now().plusSeconds(120);
        qmp.execute(Qmp.queryNamedBlockNodes());
        List<JobWatch> watches = new ArrayList<>();
        try {
            for (int i = 0; i < d.names.size(); i++) {
                watches.add(JobWatch.open(qmp, job(i)));
                ObjectNode a = JsonNodeFactory.instance.objectNode().put("device", job(i)).put("force", true);
                qmp.execute(new QmpCommand("block-job-cancel", a));
            }
            for (int i = 0; i < d.names.size(); i++) {
                watches.get(i).awaitStatus(EnumSet.of(JobStatus.CONCLUDED), deadline);
                qmp.execute(Qmp.queryJobs());
                qmp.execute(Qmp.jobDismiss(job(i)));
            }
        } finally {
            watches.forEach(JobWatch::close);
        }
        qmp.execute(Qmp.nbdServerStop());
        for (int i = 0; i < d.names.size(); i++) {
            qmp.execute(Qmp.blockdevDel(format(i)));
            qmp.execute(Qmp.blockdevDel(storage(i)));
        }
        for (int i = 0; i < d.names.size(); i++) {
            Files.deleteIfExists(scratch(i));
        }
    }

    private Path scratch(int i) {
        return d.dir.resolve("libvirt-scratch-" + d.names.get(i) + ".qcow2");
    }

    private static String storage(int i) {
        return "bench-scratch-storage-" + i;
    }

    private static String format(int i) {
        return "bench-scratch-format-" + i;
    }

    private static String createJob(int i) {
        return "bench-create-" + i;
    }

    static String job(int i) {
        return "bench-backup-" + i;
    }
}
