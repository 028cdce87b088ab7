// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import java.util.regex.Pattern;

/**
 * Deterministic names derived from the job prefix and the disk name: no clock, no randomness, so a
 * restarted process finds the same names again. Every name starts with {@code <prefix>-}.
 */
final class Names {
    /** QEMU's {@code id_wellformed}: a letter, then letters, digits, '-', '.', '_'. */
    private static final Pattern WELLFORMED = Pattern.compile("[A-Za-z][A-Za-z0-9._-]*");
    /** {@code BlockDriverState.node_name} is a 32-byte array: at most 31 characters. */
    private static final int MAX_NODE_NAME = 31;

    private final String prefix;
    private final String disk;
    private final String role;

    /**
     * @param prefix the job prefix
     * @param disk the disk name
     * @param role see {@link #role}
     */
    Names(String prefix, String disk, String role) {
        this.prefix = prefix;
        this.disk = disk;
        this.role = role;
    }

    /**
     * The role part of the image names: {@code target} (push), {@code scratch} (fleecing pull) or {@code cbw}
     * (copy-before-write pull, so that a job record tells its method by the names it created).
     */
    static String role(BackupRequest r) {
        if (r.mode() == org.virtbackup.api.BackupMode.PUSH) {
            return "target";
        }
        return r.cbw() ? "cbw" : "scratch";
    }

    String storageNode() {
        return node(prefix + "-" + disk + "-" + role + "-storage");
    }

    String formatNode() {
        return node(prefix + "-" + disk + "-" + role + "-format");
    }

    /** The copy-before-write filter node of a cbw pull. */
    String cbwNode() {
        return node(prefix + "-" + disk + "-cbw");
    }

    /** The snapshot-access node of a cbw pull. */
    String snapshotNode() {
        return node(prefix + "-" + disk + "-snap");
    }

    /** The snapshot probe of a cbw pull, a node that exists only while the driver checks the snapshot. */
    String probeNode() {
        return node(prefix + "-" + disk + "-probe");
    }

    String createJob(String layer) {
        return id(prefix + "-create-" + disk + "-" + role + "-" + layer);
    }

    String backupJob() {
        return id(prefix + "-backup-" + disk);
    }

    String exportId() {
        return id(prefix + "-export-" + disk);
    }

    static String tlsObject(String prefix) {
        return prefix + "-tls0";
    }

    private String node(String name) {
        id(name);
        if (name.length() > MAX_NODE_NAME) {
            throw Errors.configUnsupported("node name '" + name + "' for disk '" + disk
                    + "' is longer than QEMU's 31 characters; use a shorter job prefix");
        }
        return name;
    }

    private String id(String name) {
        if (!WELLFORMED.matcher(name).matches()) {
            throw Errors.configUnsupported("cannot derive a QEMU id from job prefix '" + prefix + "' and disk '"
                    + disk + "': '" + name + "' is not a valid QEMU id");
        }
        return name;
    }
}
