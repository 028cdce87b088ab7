// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.virtbackup.qemu.exec.JobResult;
import org.virtbackup.qemu.exec.QemuJobs;
import org.virtbackup.qemu.plan.BlockdevOptions;
import org.virtbackup.qemu.plan.CreateOptions;
import org.virtbackup.qemu.plan.Qmp;
import org.virtbackup.qemu.plan.Sync;
import org.virtbackup.qemu.qmp.JobStatus;
import org.virtbackup.qemu.qmp.JobWatch;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpCommand;

/**
 * QEMU driven over a raw QMP channel with exactly the options libvirt 9.0 sends for a push full backup
 * ({@code s6_libvirt/libvirt_qmp_backup.trace}): the file is created empty by the caller, then
 * {@code blockdev-add file (auto-read-only, discard unmap)}, {@code blockdev-create qcow2 (size,
 * cluster-size 65536)}, {@code query-jobs}, {@code job-dismiss}, {@code blockdev-add qcow2 (backing null)},
 * {@code transaction [blockdev-backup sync=full auto-finalize=true auto-dismiss=false]}, wait for
 * {@code concluded}, {@code query-jobs}, {@code job-dismiss}, {@code blockdev-del} format then storage.
 *
 * <p>With {@code xPerf} set, the backup action also carries QEMU's unstable {@code x-perf} tuning object
 * (BackupPerf: {@code use-copy-range}, {@code max-workers}, {@code max-chunk}): the rows that show what the
 * driver would gain from it. Laps: {@code start} (transaction returned), {@code copy} (concluded),
 * {@code total} (storage node deleted). The channel is opened and closed outside the clock.
 */
final class LibvirtPush implements PushMethod {
    private static final String STORAGE = "bench-target-storage";
    private static final String FORMAT = "bench-target-format";
    private static final String CREATE_JOB = "bench-create-target";
    private static final String BACKUP_JOB = "bench-backup-vda";
    private static final long CLUSTER = 65536;

    private final Fixture f;
    private final Optional<ObjectNode> xPerf;

    LibvirtPush(Fixture f, Optional<ObjectNode> xPerf) {
        this.f = f;
        this.xPerf = xPerf.map(ObjectNode::deepCopy);
    }

    @Override
    public String id() {
        return xPerf.map(x -> "libvirt-options+x-perf" + x).orElse("libvirt-options");
    }

    @Override
    public String description() {
        return "libvirt 9.0 QMP options" + xPerf.map(x -> " + x-perf " + x).orElse("");
    }

    @Override
    public Map<String, Double> run(Path target) throws Exception {
        Instant deadline = Instant.now().plusSeconds(600);
        try (QmpChannel qmp = f.qemu.openQmp()) {
            Stopwatch sw = Stopwatch.start();
            Files.createFile(target); // libvirt creates the file itself; no blockdev-create for the file layer
            qmp.execute(Qmp.blockdevAdd(new BlockdevOptions.Storage(STORAGE, false, target.toString())));
            CreateOptions.Qcow2 qcow2 = new CreateOptions.Qcow2(STORAGE, f.sourceInfo.virtualSize(),
                    Optional.of(CLUSTER), Optional.empty(), Optional.empty());
            JobWatch.run(qmp, Qmp.blockdevCreate(CREATE_JOB, qcow2), CREATE_JOB, EnumSet.of(JobStatus.CONCLUDED),
                    deadline);
            requireSuccess(qmp, CREATE_JOB);
            qmp.execute(Qmp.jobDismiss(CREATE_JOB));
            qmp.execute(Qmp.blockdevAdd(new BlockdevOptions.Qcow2(FORMAT, STORAGE, Optional.empty())));
            try (JobWatch watch = JobWatch.open(qmp, BACKUP_JOB)) {
                qmp.execute(backupTransaction());
                sw.lap("start");
                watch.awaitStatus(EnumSet.of(JobStatus.CONCLUDED), deadline);
            }
            sw.lap(Stats.COPY);
            requireSuccess(qmp, BACKUP_JOB);
            qmp.execute(Qmp.jobDismiss(BACKUP_JOB));
            qmp.execute(Qmp.blockdevDel(FORMAT));
            qmp.execute(Qmp.blockdevDel(STORAGE));
            return sw.lap(Stats.TOTAL).laps();
        }
    }

    private QmpCommand backupTransaction() {
        ObjectNode action = Qmp.blockdevBackup(BACKUP_JOB, f.sourceNode(), FORMAT, Sync.FULL).toJson();
        xPerf.ifPresent(x -> ((ObjectNode) action.get("data")).set("x-perf", x.deepCopy()));
        ObjectNode args = JsonNodeFactory.instance.objectNode();
        args.putArray("actions").add(action);
        return new QmpCommand("transaction", args);
    }

    private static void requireSuccess(QmpChannel qmp, String job) {
        JobResult r = QemuJobs.query(qmp).get(job);
        if (r == null || !r.isConcluded() || r.error().isPresent()) {
            throw new IllegalStateException("job '" + job + "' did not succeed: " + r);
        }
    }

    /** Parses {@code use-copy-range=true,max-chunk=65536} into an {@code x-perf} object. */
    static ObjectNode parseXPerf(String spec) {
        ObjectNode x = JsonNodeFactory.instance.objectNode();
        for (String kv : List.of(spec.split(","))) {
            String[] p = kv.split("=", 2);
            if (p.length != 2 || p[0].isBlank()) {
                throw new IllegalArgumentException("x-perf option must be key=value, got '" + kv + "'");
            }
            String v = p[1].strip();
            if (v.equals("true") || v.equals("false")) {
                x.put(p[0].strip(), Boolean.parseBoolean(v));
            } else {
                x.put(p[0].strip(), Long.parseLong(v));
            }
        }
        return x;
    }
}
