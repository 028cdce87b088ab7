// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * One way of driving backups and checkpoints in {@code benchmark libvirt}: our QEMU driver or our libvirt driver
 * through the public API, or libvirt-java's own calls. The benchmark times these calls; each side owns a
 * directory for its targets, scratch files and socket, and uses a domain with disks {@code vda}, {@code vdb}, ...
 * (the two libvirt sides share one domain, one after the other).
 */
interface BackupSide {
    /** A short name for the tables: {@code ours}, {@code libvirt-driver}, {@code libvirt-java}. */
    String id();

    /** Where this side's targets, scratch files and NBD socket go. */
    Path dir();

    /** The domain's disks, in order. */
    List<String> disks();

    /** Begins a backup; returns when the API call returns. */
    void begin(String backupXml, String checkpointXml) throws Exception;

    /** Waits until the push begun last has completed, and checks that it succeeded. */
    void awaitPush() throws Exception;

    /** Ends the pull begun last, and waits until it is gone. */
    void endPull() throws Exception;

    /** Creates a checkpoint of every disk named {@code name}. */
    void createCheckpoint(String name) throws Exception;

    /** Lists the checkpoints' names. */
    List<String> listCheckpoints() throws Exception;

    /** Deletes checkpoint {@code name} (a leaf). */
    void deleteCheckpoint(String name) throws Exception;
}
