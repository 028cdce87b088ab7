// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.libvirt.Domain;
import org.libvirt.DomainCheckpoint;
import org.libvirt.LibvirtException;

/**
 * The reference: libvirt-java's own calls on the same libvirt domain, what an application without virtbackup
 * writes. libvirt-java 0.5.4 binds no JOB_COMPLETED event, so the end of a job is seen by polling
 * {@code virDomainGetJobStats} every {@link #POLL_MILLIS} ms (at most that much late; our libvirt driver hears
 * libvirt's event instead).
 */
final class LibvirtJavaSide extends AbstractSide {
    static final long POLL_MILLIS = 5;
    /** {@code VIR_DOMAIN_JOB_NONE}, {@code VIR_DOMAIN_JOB_COMPLETED}. */
    private static final int JOB_NONE = 0;
    private static final int JOB_COMPLETED = 3;
    /** {@code VIR_DOMAIN_JOB_STATS_COMPLETED}. */
    private static final int STATS_COMPLETED = 1;
    private static final long TIMEOUT_NANOS = 600_000_000_000L;

    private final Domain dom;

    LibvirtJavaSide(Path dir, LibvirtVm vm) {
        super("libvirt-java", dir, vm.disks());
        this.dom = vm.domain();
    }

    @Override
    public void begin(String backupXml, String checkpointXml) throws LibvirtException {
        dom.backupBegin(backupXml, checkpointXml, 0);
    }

    @Override
    public void awaitPush() throws Exception {
        awaitNoJob();
        int type = dom.getJobStats(STATS_COMPLETED).type;
        if (type != JOB_COMPLETED) {
            throw new IllegalStateException("libvirt-java: push did not succeed: job type " + type);
        }
    }

    @Override
    public void endPull() throws Exception {
        dom.abortJob();
        awaitNoJob();
    }

    private void awaitNoJob() throws LibvirtException, InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (dom.getJobStats(0).type != JOB_NONE) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("libvirt-java: the job did not end within 10 minutes");
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    @Override
    public void createCheckpoint(String name) throws LibvirtException {
        dom.checkpointCreateXML("<domaincheckpoint><name>" + name + "</name></domaincheckpoint>", 0);
    }

    @Override
    public List<String> listCheckpoints() throws LibvirtException {
        List<String> names = new ArrayList<>();
        for (DomainCheckpoint cp : dom.listAllCheckpoints(0)) {
            names.add(cp.getName());
        }
        return names;
    }

    @Override
    public void deleteCheckpoint(String name) throws LibvirtException {
        dom.checkpointLookupByName(name).delete(0);
    }
}
